import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `vite` / `vite preview` forward /api (REST and the agent WebSocket) to the gateway, so the app talks to
// the same origin in development as it does when the gateway serves the built files.
const gateway = process.env.GATEWAY_URL ?? "http://127.0.0.1:8080";
const proxy = { "/api": { target: gateway, changeOrigin: false, ws: true } };

export default defineConfig({
  plugins: [react()],
  server: { host: "127.0.0.1", proxy },
  preview: { host: "127.0.0.1", proxy },
  // No source maps: they would hand anyone the app's source (the gateways refuse `.map` files as well).
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 900 },
});
