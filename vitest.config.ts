import { defineConfig } from "vitest/config";

// `npm test`: unit and in-process tests of every workspace. Suites that need installed
// system packages (nginx, Chromium) live in vitest.system.config.ts.
export default defineConfig({
  test: {
    include: [
      "{packages,services,tools,apps}/*/src/**/*.test.{ts,tsx}",
      "deploy/**/*.test.ts",
      "test/unit/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/*.system.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
