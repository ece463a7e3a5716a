import { defineConfig } from "vitest/config";
import { sharedVitestConfig } from "../../vitest.shared.ts";

// Vitest hands these conditions to Node as --conditions flags. The shared list names "import"
// outright, which would make Express's router `require("is-promise")` load its ES module build;
// Vite adds "import" or "require" by itself as each import asks.
const conditions = ["@friendhook/source", "module", "node", "default"];

export default defineConfig({
  ...sharedVitestConfig,
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { ...sharedVitestConfig.test, testTimeout: 60_000 },
});
