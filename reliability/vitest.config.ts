import { defineConfig } from "vitest/config";
import { sharedVitestConfig } from "../vitest.shared.ts";

// Each file starts the example app as a child process and loads it hard: run the files one after
// another, so that two floods never compete for the same two cores and distort each other's figures.
export default defineConfig({
  ...sharedVitestConfig,
  // Only bounds on a hang. Starting the app alone may take up to two minutes on busy cores
  // (defaultStartupTimeoutMs), and a flood that takes half a minute on an idle machine has taken
  // over five there: the hooks that start the app and the tests get well more than that.
  test: { ...sharedVitestConfig.test, testTimeout: 600_000, hookTimeout: 180_000, fileParallelism: false },
});
