import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
// React Flow's base styles stay in the first stylesheet (a few KB): loaded with the lazy graph they would
// come after styles.css and undo its overrides.
import "@xyflow/react/dist/style.css";
import "./styles.css";
import { App } from "./App.tsx";
import { applyTheme, loadTheme } from "./theme.ts";

// Before the first paint, so a remembered dark theme never flashes light.
applyTheme(document.documentElement, loadTheme(window.localStorage));

const root = document.getElementById("root");
if (!root) throw new TypeError("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
