import { defineConfig } from "vitest/config";

// Tests import workspace packages from their TypeScript sources (the "@friendhook/source"
// export condition), so a test run never depends on a stale or missing build.
export const sharedVitestConfig = defineConfig({
  resolve: { conditions: ["@friendhook/source", "import", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["@friendhook/source", "import", "module", "node", "default"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
