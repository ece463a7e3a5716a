import { defineConfig } from "vitest/config";
import { sharedVitestConfig } from "../vitest.shared.ts";

// Each file starts the example app as a child process and loads it hard: run the files one after
// another, so that two floods never compete for the same two cores and distort each other's figures.
export default defineConfig({
  ...sharedVitestConfig,
  test: { ...sharedVitestConfig.test, testTimeout: 90_000, hookTimeout: 60_000, fileParallelism: false },
});
