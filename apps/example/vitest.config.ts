import { defineConfig } from "vitest/config";
import { sharedVitestConfig } from "../../vitest.shared.ts";

// Some tests start the app and `simulate` as processes from their TypeScript sources: slower to
// start than a test in-process, more so on a busy machine.
export default defineConfig({
  ...sharedVitestConfig,
  test: { ...sharedVitestConfig.test, testTimeout: 60_000 },
});
