#!/usr/bin/env node
// The framework-neutral packages run wherever the Fetch API does (Node, Bun, Deno, Workers): core,
// the adapters, the adapter template and the receiver's main entry. This check bundles each entry
// with esbuild for `platform: "neutral"`, following every import (workspace packages from their
// sources, dependencies such as zod from node_modules), and fails on what only Node provides:
//
// - an import of a Node module (`node:crypto`, or a bare `crypto`, `stream`, …);
// - a free reference to a Node global (`Buffer`, `process`, `global`, `setImmediate`, `require`,
//   `__dirname`, …), found by esbuild itself: each module is compiled with these names defined to
//   markers, which esbuild substitutes only where the name is not a local binding. Types are
//   erased first, so a type annotation is not a use. A runtime's extras are reached through
//   `globalThis` behind a test (`globalThis.process?.stdout`), which this check leaves alone.
//
// What is allowed is listed below, each with its reason; an entry that no longer matches anything
// fails the check too, so that the list only shrinks. CONTRIBUTING.md ("Framework-neutral
// packages") explains the rule. Node-only code lives in a `node` entry (`@friendhook/receiver/node`).
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";

const repository = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const entries = [
  "packages/core/src/index.ts",
  "packages/easemob/src/index.ts",
  "packages/tencent/src/index.ts",
  "packages/openim/src/index.ts",
  "packages/receiver/src/index.ts",
  "templates/adapter/src/index.ts",
];

/** Node's globals that no Web-standard runtime has as such. */
const nodeGlobals = ["Buffer", "process", "global", "setImmediate", "clearImmediate", "require", "module", "exports", "__dirname", "__filename"];

/**
 * What the neutral packages may use of Node, each where and why. `pending` marks a use that is
 * still to be removed (and by which change); the check names those on every run.
 */
const allowed = [
  {
    file: "packages/core/src/hashing.ts",
    use: "node:crypto",
    reason:
      "the one Node module the neutral packages need: synchronous MD5, SHA-1, SHA-256, HMAC and a timing-safe comparison, " +
      "which Node, Bun, Deno and Workers with Node compatibility all provide (Web Crypto's digests are asynchronous and have no MD5)",
  },
];

const builtins = new Set(builtinModules.filter((name) => !name.startsWith("_")));
const isNodeModule = (specifier) => specifier.startsWith("node:") || builtins.has(specifier.split("/")[0]);
const markerOf = (name) => `__friendhook_node_global_${name}__`;
const markers = new RegExp(`__friendhook_node_global_(\\w+?)__`, "g");
const loaders = { ".ts": "ts", ".mts": "ts", ".cts": "ts", ".js": "js", ".mjs": "js", ".cjs": "js" };

const where = (file) => relative(repository, file).split("\\").join("/");

/** The lines of `text` where `name` appears as a word, outside line comments: where to look. */
function linesNaming(text, name) {
  const word = new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])`);
  return text
    .split("\n")
    .flatMap((line, index) => (word.test(line.replace(/\/\/.*$/, "")) ? [index + 1] : []));
}

/** Bundles one entry; returns every Node use it reaches: { file, use, lines }. */
async function nodeUsesOf(entry) {
  const uses = [];
  const files = new Set();
  const plugin = {
    name: "node-uses",
    setup(esbuild) {
      esbuild.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        if (!isNodeModule(args.path)) {
          // The template is no workspace package: it resolves its dependencies (core, zod) as an adapter does.
          const bare = !args.path.startsWith(".") && !args.path.startsWith("/");
          if (!bare || args.pluginData?.asAdapter || !where(args.importer).startsWith("templates/")) return undefined;
          return esbuild.resolve(args.path, { kind: args.kind, resolveDir: join(repository, "packages/easemob"), pluginData: { asAdapter: true } });
        }
        const use = args.path.startsWith("node:") ? args.path : `node:${args.path}`;
        const text = readFileSync(args.importer, "utf8");
        uses.push({ file: where(args.importer), use, lines: linesNaming(text, args.path.replace(/[/\\^$*+?.()|[\]{}]/g, "\\$&")) });
        return { path: args.path, external: true };
      });
      esbuild.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
        const loader = loaders[extname(args.path)];
        const text = readFileSync(args.path, "utf8");
        files.add(args.path);
        const compiled = await transform(text, {
          loader,
          format: "esm",
          define: Object.fromEntries(nodeGlobals.map((name) => [name, markerOf(name)])),
          logLevel: "silent",
        });
        const found = new Set([...compiled.code.matchAll(markers)].map((match) => match[1]));
        for (const name of found) uses.push({ file: where(args.path), use: name, lines: linesNaming(text, name) });
        return { contents: text, loader };
      });
    },
  };
  await build({
    entryPoints: [join(repository, entry)],
    bundle: true,
    write: false,
    platform: "neutral",
    format: "esm",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["@friendhook/source"],
    logLevel: "silent",
    plugins: [plugin],
  });
  return { uses, files: files.size };
}

const failures = [];
/** Stray uses by file and use, with the entries that reach them. */
const strays = new Map();
const pendings = new Set();
const matched = new Set();
for (const entry of entries) {
  let result;
  try {
    result = await nodeUsesOf(entry);
  } catch (error) {
    const messages = error.errors?.map((problem) => `${problem.location?.file ?? ""}:${problem.location?.line ?? ""} ${problem.text}`) ?? [String(error)];
    failures.push(`${entry}: does not bundle for a neutral platform:\n    ${messages.join("\n    ")}`);
    continue;
  }
  const stray = [];
  for (const use of result.uses) {
    const permission = allowed.find((candidate) => candidate.file === use.file && candidate.use === use.use);
    if (permission) {
      matched.add(permission);
      if (permission.pending) pendings.add(permission);
      continue;
    }
    stray.push(use);
  }
  console.log(`${entry}: ${result.files} modules, ${stray.length === 0 ? "nothing of Node's beyond what is allowed" : `${stray.length} stray use(s) of Node`}`);
  for (const use of stray) {
    const key = `${use.file} ${use.use}`;
    strays.set(key, { ...use, entries: [...(strays.get(key)?.entries ?? []), entry] });
  }
}
for (const use of strays.values()) {
  const lines = use.lines.length > 0 ? `:${use.lines.join(",")}` : "";
  failures.push(`${use.file}${lines}: uses ${use.use}, which a neutral platform does not have (reached from ${use.entries.join(", ")})`);
}
for (const permission of allowed) {
  if (!matched.has(permission)) {
    failures.push(`scripts/check-neutral-packages.mjs: ${permission.file} no longer uses ${permission.use}; remove its entry from the allowed list`);
  }
}

console.log("\nAllowed:");
for (const permission of allowed.filter((candidate) => !candidate.pending)) console.log(`  ${permission.file}: ${permission.use}, ${permission.reason}`);
if (pendings.size > 0) {
  console.log("\nStill to remove:");
  for (const permission of pendings) console.log(`  ${permission.file}: ${permission.use}, for ${permission.pending}`);
}
if (failures.length > 0) {
  console.log(`\n${failures.length} problem(s):`);
  for (const failure of failures) console.log(`- ${failure}`);
  console.log("\nUse Web-standard APIs (Uint8Array, TextEncoder, TextDecoder, atob, crypto.getRandomValues), core's hashing, or move Node-only code to a node entry.");
  process.exit(1);
}
console.log("\nThe neutral packages use nothing of Node's beyond what is allowed.");
