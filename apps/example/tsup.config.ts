import { defineConfig } from "tsup";

// The app is run, not imported: one ES module entry, no declarations. Dependencies stay external
// and are resolved from node_modules at run time, workspace packages through their built dist/.
export default defineConfig({
  entry: { main: "src/main.ts" },
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
  splitting: false,
});
