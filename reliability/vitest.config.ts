import { defineConfig } from "vitest/config";
import { sharedVitestConfig } from "../vitest.shared.ts";

// Each file starts the example app as a child process and loads it hard: run the files one after
// another, so that two floods never compete for the same two cores and distort each other's figures.
export default defineConfig({
  ...sharedVitestConfig,
  // Starting the app alone may take up to two minutes on busy cores (defaultStartupTimeoutMs): the
  // hooks and tests that start it get well more than that.
  test: { ...sharedVitestConfig.test, testTimeout: 300_000, hookTimeout: 180_000, fileParallelism: false },
});
