import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.shared.ts";

// `helpers` needs no test runner and is also built for CommonJS; the suites need vitest, which
// cannot be required, so `package.json` exports the index for `import` only.
export default defineConfig(packageBuild({ index: "src/index.ts", helpers: "src/helpers.ts" }));
