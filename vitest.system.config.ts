import { defineConfig } from "vitest/config";

// `npm run test:system`: end-to-end suites against real nginx, the built-in gateway and Chromium.
export default defineConfig({
  test: {
    include: ["test/system/**/*.system.test.ts", "{packages,services,tools,apps,deploy}/**/*.system.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    globalSetup: ["test/system/build-once.ts"],
  },
});
