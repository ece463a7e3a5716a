import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.shared.ts";

// Two entries: the framework-neutral index, and `node` for what needs Node's streams and sockets.
// Split, so that the code both use is one module, shared, rather than copied into each.
export default defineConfig({ ...packageBuild({ index: "src/index.ts", node: "src/node/index.ts" }), splitting: true });
