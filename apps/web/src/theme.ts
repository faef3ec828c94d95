/**
 * Light or dark. The page follows the system (prefers-color-scheme) unless the person picked the other one;
 * only such a pick is remembered (localStorage, shared by the tabs). Colours are CSS variables written with
 * `light-dark()` in styles.css, so the whole choice is the root element's `color-scheme`.
 */
export type Theme = "light" | "dark";

export const THEME_KEY = "texera-agent.theme";
export const DARK_QUERY = "(prefers-color-scheme: dark)";

type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** The remembered pick, or null to follow the system. */
export function loadTheme(storage: StorageLike): Theme | null {
  const value = storage.getItem(THEME_KEY);
  return value === "light" || value === "dark" ? value : null;
}

/**
 * Remembers `wanted`; a pick equal to the system's is forgotten instead, so the page follows the system
 * again (a toggle back to the system's theme means "as my system").
 */
export function saveTheme(storage: StorageLike, wanted: Theme, system: Theme): Theme | null {
  if (wanted === system) {
    storage.removeItem(THEME_KEY);
    return null;
  }
  storage.setItem(THEME_KEY, wanted);
  return wanted;
}

export function effectiveTheme(picked: Theme | null, system: Theme): Theme {
  return picked ?? system;
}

/** `data-theme` on the root element; absent = follow the system (styles.css sets color-scheme from it). */
export function applyTheme(root: { dataset: DOMStringMap }, picked: Theme | null): void {
  if (picked) root.dataset.theme = picked;
  else delete root.dataset.theme;
}
