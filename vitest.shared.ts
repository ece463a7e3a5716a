import { defineConfig } from "vitest/config";

// Tests import workspace packages from their TypeScript sources (the "@friendhook/source"
// export condition), so a test run never depends on a stale or missing build. "import" and
// "require" are not listed: Vite adds the right one for each import by itself, and naming
// "import" outright would load ES builds where CommonJS code calls require().
const conditions = ["@friendhook/source", "module", "node", "default"];

export const sharedVitestConfig = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    // Only a bound on a hang: on two cores that other test runs keep busy, a test that takes a
    // second on an idle machine can take twenty.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
