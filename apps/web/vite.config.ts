import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { precompress } from "../../scripts/lib/precompress.ts";

// `vite` / `vite preview` forward /api (REST and the agent WebSocket) to the gateway, so the app talks to
// the same origin in development as it does when the gateway serves the built files.
const gateway = process.env.GATEWAY_URL ?? "http://127.0.0.1:8080";
const proxy = { "/api": { target: gateway, changeOrigin: false, ws: true } };

/** After a build: brotli and gzip variants beside each text file (scripts/lib/precompress.ts). */
export function precompressPlugin(): Plugin {
  return {
    name: "texera-precompress",
    apply: "build",
    async writeBundle(options) {
      if (options.dir) await precompress(options.dir);
    },
  };
}

export default defineConfig({
  plugins: [react(), precompressPlugin()],
  server: { host: "127.0.0.1", proxy },
  preview: { host: "127.0.0.1", proxy },
  // No source maps: they would hand anyone the app's source (the gateways refuse `.map` files as well).
  // The sign-in page loads only the entry chunk; the signed-in app, the graph and the dialogs are split off
  // (React.lazy), so no chunk comes near the warning limit.
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 500 },
});
