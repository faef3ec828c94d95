import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import {
  applyTheme,
  DARK_QUERY,
  effectiveTheme,
  loadTheme,
  saveTheme,
  THEME_KEY,
  type Theme,
} from "../theme.ts";

function subscribeSystem(onChange: () => void): () => void {
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}
const systemTheme = (): Theme => (window.matchMedia(DARK_QUERY).matches ? "dark" : "light");

/** A switch between light and dark; the other tabs follow. */
export function ThemeToggle() {
  const system = useSyncExternalStore(subscribeSystem, systemTheme);
  const [picked, setPicked] = useState(() => loadTheme(window.localStorage));
  const theme = effectiveTheme(picked, system);

  useEffect(() => applyTheme(document.documentElement, picked), [picked]);
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === THEME_KEY || event.key === null) setPicked(loadTheme(window.localStorage));
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, []);

  const toggle = useCallback(() => {
    setPicked(saveTheme(window.localStorage, theme === "dark" ? "light" : "dark", system));
  }, [theme, system]);

  return (
    <button
      type="button"
      className="button button-quiet theme-toggle"
      aria-pressed={theme === "dark"}
      onClick={toggle}
      data-testid="theme-toggle"
      data-theme={theme}
      title={picked ? `Dark mode (your choice; the system is ${system})` : "Dark mode (as the system)"}
    >
      <span className="theme-icon" aria-hidden="true" />
      <span className="theme-label">Dark mode</span>
    </button>
  );
}
