import { defineConfig } from "vitest/config";
import { sharedVitestConfig } from "../../vitest.shared.ts";

// The shared conditions name "import" outright, which would make pg's `require("pg-pool")` load
// pg-pool's ES module build; Vite adds "import" or "require" by itself as each import asks.
const conditions = ["@friendhook/source", "module", "node", "default"];

export default defineConfig({
  ...sharedVitestConfig,
  resolve: { conditions },
  ssr: { resolve: { conditions } },
});
