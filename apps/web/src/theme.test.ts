import { describe, expect, it } from "vitest";
import { MemoryStorage } from "./test-fixtures.ts";
import { applyTheme, effectiveTheme, loadTheme, saveTheme, THEME_KEY } from "./theme.ts";

describe("theme", () => {
  it("follows the system until the person picks the other theme, and forgets a pick equal to the system", () => {
    const storage = new MemoryStorage();
    expect(loadTheme(storage)).toBeNull();
    expect(effectiveTheme(loadTheme(storage), "dark")).toBe("dark");
    expect(saveTheme(storage, "light", "dark")).toBe("light");
    expect(storage.items.get(THEME_KEY)).toBe("light");
    expect(effectiveTheme(loadTheme(storage), "dark")).toBe("light");
    // toggled back to the system's: no pick remembered, the page follows the system again
    expect(saveTheme(storage, "dark", "dark")).toBeNull();
    expect(storage.items.has(THEME_KEY)).toBe(false);
    expect(effectiveTheme(loadTheme(storage), "light")).toBe("light");
  });

  it("ignores a stored value it does not know", () => {
    const storage = new MemoryStorage();
    storage.setItem(THEME_KEY, "purple");
    expect(loadTheme(storage)).toBeNull();
  });

  it("names a pick on the root element and removes it to follow the system", () => {
    const root = { dataset: {} as DOMStringMap };
    applyTheme(root, "dark");
    expect(root.dataset.theme).toBe("dark");
    applyTheme(root, null);
    expect("theme" in root.dataset).toBe(false);
  });
});
