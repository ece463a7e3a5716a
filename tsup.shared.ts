import type { Options } from "tsup";

// One build shape for every published package: ESM and CommonJS with declarations for both.
export function packageBuild(entry: Record<string, string> = { index: "src/index.ts" }): Options {
  return {
    entry,
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    splitting: false,
    treeshake: true,
  };
}
