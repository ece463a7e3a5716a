import { defineConfig } from "vitest/config";
import reliabilityConfig from "./vitest.config.ts";

// Reproductions of open product bugs: each fails until its bug is fixed, and then moves into test/.
export default defineConfig({
  ...reliabilityConfig,
  test: { ...reliabilityConfig.test, include: ["repro/**/*.repro.ts"], passWithNoTests: true },
});
