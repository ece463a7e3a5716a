import { defineConfig } from "vitest/config";
import { sharedVitestConfig } from "../../vitest.shared.ts";

// Some tests start the app and `simulate` as processes from their TypeScript sources: slower to
// start than a test in-process, more so on a busy machine.
export default defineConfig({
  ...sharedVitestConfig,
  // Up to two minutes per start of the app on busy cores (appStartupTimeoutMs), and a test may start two.
  test: { ...sharedVitestConfig.test, testTimeout: 300_000 },
});
