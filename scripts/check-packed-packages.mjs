#!/usr/bin/env node
// What an npm user meets: packs every published package with `pnpm pack`, installs the tarballs with
// plain npm into a fresh ES module project and a fresh CommonJS project (in a temporary directory;
// only the npm registry is needed), typechecks both with `strict` and `exactOptionalPropertyTypes`
// (with the TypeScript the repository builds with and the oldest one the READMEs promise), runs a
// CommonJS application (scripts/packed-packages/commonjs-app.ts) and every README example marked
// `<!-- checked example: NAME -->`. CONTRIBUTING.md ("What an npm user meets") explains the rules.
//
// It reports every problem it finds, not only the first, each with the file and line to fix.
// FRIENDHOOK_CHECK_KEEP=1 keeps the temporary directory for a closer look.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { exampleRuns } from "./packed-packages/example-runs.mjs";
import { checkedExamples, fencedBlocks, importedPackages, installCommands, strayMarkers } from "./packed-packages/readme.mjs";

const repository = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const support = join(repository, "scripts", "packed-packages");
/** The oldest TypeScript the READMEs promise: zod's types need 5.4. */
const oldestTypeScript = "5.4";
const repositoryUrl = "git+https://github.com/friendhook/friendhook.git";
const sourceCondition = "@friendhook/source";
const services = { postgres: 5432, redis: 6379, nats: 4222 };
const servicesRequired = process.env.FRIENDHOOK_REQUIRE_SERVICES === "1";
const keep = process.env.FRIENDHOOK_CHECK_KEEP === "1";

const startedAt = Date.now();
const failures = [];
const skipped = [];

const seconds = (milliseconds) => `${(milliseconds / 1000).toFixed(1)} s`;
function step(title) {
  console.log(`\n== ${title} (${seconds(Date.now() - startedAt)})`);
}
function fail(title, details = "") {
  failures.push({ title, details });
  console.log(`FAILED: ${title}${details ? `\n${indent(details)}` : ""}`);
}
function indent(text, prefix = "    ") {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}
/** The end of a long output: what usually says what went wrong. */
function tail(text, lines = 40) {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["…", ...all.slice(-lines)] : all).join("\n");
}

/**
 * This process's environment without the npm settings a package manager running this script puts
 * in it (`npm_config_*`): npm in the fresh projects must behave as it does for a user.
 */
const userEnvironment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

/** Runs a command; never throws. A command still running after `timeoutMs` is killed. */
function run(command, args, { cwd, env = {}, timeoutMs = 600_000 } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, env: { ...userEnvironment, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      output += String(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, timedOut, stdout, output });
    });
  });
}

function describeExit(result, timeoutMs) {
  if (result.timedOut) return `still running after ${seconds(timeoutMs)}, so it was stopped`;
  return result.signal ? `ended by ${result.signal}` : `exited with code ${result.code}`;
}

async function inTurns(items, concurrency, work) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (queue.length > 0) await work(queue.shift());
    }),
  );
}

function reachable(port) {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (result) => {
      socket.destroy();
      resolvePromise(result);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

const withoutSourceCondition = (value) =>
  value !== null && typeof value === "object"
    ? Object.fromEntries(Object.entries(value).filter(([key]) => key !== sourceCondition).map(([key, inner]) => [key, withoutSourceCondition(inner)]))
    : value;

/** Every file path named in an `exports` map. */
const exportTargets = (value) =>
  typeof value === "string" ? [value] : value !== null && typeof value === "object" ? Object.values(value).flatMap(exportTargets) : [];

// ---------------------------------------------------------------------------------------------

const packages = readdirSync(join(repository, "packages"))
  .map((entry) => join("packages", entry))
  .filter((directory) => existsSync(join(repository, directory, "package.json")))
  .map((directory) => ({ directory, manifest: JSON.parse(readFileSync(join(repository, directory, "package.json"), "utf8")) }))
  .filter(({ manifest }) => manifest.private !== true)
  .map(({ directory, manifest }) => ({
    directory,
    manifest,
    name: manifest.name,
    tarball: `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`,
  }));
const packageNames = new Set(packages.map(({ name }) => name));

const unbuilt = packages.filter(({ directory }) => !existsSync(join(repository, directory, "dist")));
if (unbuilt.length > 0) {
  console.error(`Not built: ${unbuilt.map(({ name }) => name).join(", ")}. Run \`pnpm build\` first.`);
  process.exit(1);
}

const workDirectory = mkdtempSync(join(tmpdir(), "friendhook-packed-packages-"));
const tarballs = join(workDirectory, "tarballs");
const esmProject = join(workDirectory, "esm");
const commonjsProject = join(workDirectory, "commonjs");
for (const directory of [tarballs, esmProject, commonjsProject]) mkdirSync(directory);
const databases = [];
console.log(`Working in ${workDirectory}${keep ? " (kept: FRIENDHOOK_CHECK_KEEP=1)" : ""}`);

async function main() {
  step(`Packing ${packages.length} packages with pnpm pack`);
  await inTurns(packages, 2, async (item) => {
    const result = await run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: join(repository, item.directory), timeoutMs: 120_000 });
    if (result.code !== 0 || !existsSync(join(tarballs, item.tarball))) {
      fail(`pnpm pack of ${item.name} (${item.directory}) ${describeExit(result, 120_000)}`, tail(result.output));
    }
  });
  const packed = packages.filter((item) => existsSync(join(tarballs, item.tarball)));

  step("Checking the packed manifests");
  for (const item of packed) checkPackedManifest(item);

  step("Checking the README install commands and examples");
  const examples = checkReadmes();

  step("Installing the tarballs with npm into a fresh ES module project and a fresh CommonJS project");
  const installed = await installProjects(packed, examples);

  step("Typechecking both projects; running the CommonJS application");
  await Promise.all([installed.commonjs && checkCommonjsProject(), installed.esm && typecheckExamples(examples)]);
  if (installed.esm) {
    step("ES module project: running the README examples");
    for (const example of examples) await runExample(example);
  }
}

// ---------------------------------------------------------------------------------------------

function checkPackedManifest(item) {
  const tarball = join(tarballs, item.tarball);
  const where = `${item.directory}/package.json`;
  const manifest = JSON.parse(spawnSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }).stdout);
  const files = new Set(
    spawnSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .stdout.split("\n")
      .filter(Boolean)
      .map((file) => file.replace(/^package\//, "./")),
  );

  if (JSON.stringify(manifest.exports).includes(sourceCondition)) {
    fail(
      `${item.name}: the published exports carry the repository's "${sourceCondition}" condition`,
      `Give ${where} a publishConfig.exports: its exports without the "${sourceCondition}" entries.`,
    );
  } else if (JSON.stringify(manifest.exports) !== JSON.stringify(withoutSourceCondition(item.manifest.exports))) {
    fail(
      `${item.name}: publishConfig.exports is not ${where}'s exports without "${sourceCondition}"`,
      `published:  ${JSON.stringify(manifest.exports)}\nexpected:   ${JSON.stringify(withoutSourceCondition(item.manifest.exports))}`,
    );
  }
  const missing = [...exportTargets(manifest.exports), manifest.main, manifest.module, manifest.types]
    .filter((file) => file !== undefined && !files.has(file.startsWith("./") ? file : `./${file}`));
  if (missing.length > 0) fail(`${item.name}: the tarball lacks files its manifest names`, missing.join("\n"));
  for (const file of ["./README.md", "./LICENSE"]) if (!files.has(file)) fail(`${item.name}: the tarball has no ${file.slice(2)}`);

  const repositoryField = manifest.repository ?? {};
  if (repositoryField.url !== repositoryUrl || repositoryField.directory !== item.directory) {
    fail(
      `${item.name}: repository must be { "type": "git", "url": "${repositoryUrl}", "directory": "${item.directory}" }`,
      "The registry resolves the README's relative links against it.",
    );
  }
  for (const field of ["homepage", "bugs", "license", "description"]) {
    if (!manifest[field]) fail(`${item.name}: ${where} has no "${field}"`);
  }
  if (!manifest.engines?.node) fail(`${item.name}: ${where} states no engines.node`);
  const workspaceRanges = ["dependencies", "peerDependencies", "optionalDependencies"].flatMap((field) =>
    Object.entries(manifest[field] ?? {}).filter(([, range]) => String(range).startsWith("workspace:")),
  );
  if (workspaceRanges.length > 0) fail(`${item.name}: the packed manifest keeps workspace: ranges`, JSON.stringify(workspaceRanges));
}

// ---------------------------------------------------------------------------------------------

function checkReadmes() {
  const examples = [];
  for (const item of packages) {
    const readmePath = join(item.directory, "README.md");
    const text = readFileSync(join(repository, readmePath), "utf8");
    const install = installCommands(text);
    for (const { line, text: command } of install.otherManagers) {
      fail(`${readmePath}:${line}: install commands for users are npm's`, `${command}\n(write npm install …; the repository itself uses pnpm)`);
    }
    const installable = new Set([...install.dependencies.keys(), ...install.devDependencies.keys()]);
    if (!installable.has(item.name)) fail(`${readmePath}: no \`npm install\` line installs ${item.name}`);
    for (const stray of strayMarkers(text)) {
      fail(`${readmePath}:${stray.line}: an example marker must be the line right above a fenced block`, stray.text);
    }
    // Every snippet, checked or not: what it imports, the install lines must install.
    for (const block of fencedBlocks(text).filter(({ language }) => ["ts", "js"].includes(language))) {
      for (const imported of importedPackages(block.code)) {
        if (!installable.has(imported)) fail(`${readmePath}:${block.fenceLine}: the example imports ${imported}, which no \`npm install\` line installs`);
      }
    }
    const found = checkedExamples(text);
    if (found.length === 0) {
      fail(`${readmePath}: no example is marked to run`, "Put <!-- checked example: NAME --> on the line above the example users copy.");
    }
    for (const example of found) {
      const at = `${readmePath}:${example.fenceLine}`;
      if (!["ts", "js"].includes(example.language)) {
        fail(`${at}: the checked example "${example.name}" is a \`${example.language}\` block; mark a ts or js block`);
        continue;
      }
      if (examples.some((other) => other.name === example.name)) fail(`${at}: a second example is named "${example.name}"`);
      examples.push({ ...example, packageName: item.name, readmePath, install, run: exampleRuns[example.name] ?? {} });
    }
  }
  for (const name of Object.keys(exampleRuns)) {
    if (!examples.some((example) => example.name === name)) {
      fail(`scripts/packed-packages/example-runs.mjs describes "${name}", which no README marks`, "Remove it, or mark the example it was for.");
    }
  }
  console.log(`${examples.length} checked examples: ${examples.map(({ name }) => name).join(", ")}`);
  return examples;
}

// ---------------------------------------------------------------------------------------------

const rootManifest = JSON.parse(readFileSync(join(repository, "package.json"), "utf8"));

/** Where the workspace installed and built a package with a native addon, and its version. */
function workspacePackage(name, from) {
  const store = join(repository, "node_modules", ".pnpm");
  const candidates = readdirSync(store).filter((entry) => entry.startsWith(`${name}@`));
  for (const candidate of candidates) {
    const directory = join(store, candidate, "node_modules", name);
    if (existsSync(join(directory, "build", "Release"))) return { directory, version: JSON.parse(readFileSync(join(directory, "package.json"), "utf8")).version };
  }
  throw new Error(`The workspace has no built ${name} (needed by ${from}); run pnpm install.`);
}

async function installProjects(packed, examples) {
  const tarballDependencies = Object.fromEntries(packed.map((item) => [item.name, `file:../tarballs/${item.tarball}`]));
  // Every @friendhook package a tarball depends on is the packed one, never one from the registry.
  const overrides = Object.fromEntries(packed.map((item) => [item.name, `$${item.name}`]));
  // better-sqlite3 compiles a native addon, which needs GitHub or node-gyp's downloads. The check
  // installs the version the workspace built, without scripts, and reuses the workspace's addon.
  const sqlite = workspacePackage("better-sqlite3", "@friendhook/sqlite");
  overrides["better-sqlite3"] = sqlite.version;
  const tools = {
    typescript: rootManifest.devDependencies.typescript,
    "typescript-oldest": `npm:typescript@~${oldestTypeScript}.0`,
    "@types/node": rootManifest.devDependencies["@types/node"],
  };

  // What the READMEs tell users to install beside the packages, e.g. express, vitest.
  const readmeDependencies = {};
  const readmeDevDependencies = {};
  for (const example of examples) {
    for (const [target, source] of [
      [readmeDependencies, example.install.dependencies],
      [readmeDevDependencies, example.install.devDependencies],
    ]) {
      for (const [name, { range }] of source) {
        if (packageNames.has(name)) continue;
        if (target[name] === undefined || target[name] === "latest") target[name] = range;
      }
    }
  }
  const expressTypes = packages.find(({ name }) => name === "@friendhook/express")?.manifest.peerDependencies?.["@types/express"] ?? "latest";

  const projects = {
    esm: {
      directory: esmProject,
      manifest: {
        name: "friendhook-check-esm",
        private: true,
        type: "module",
        dependencies: { ...tarballDependencies, ...readmeDependencies },
        devDependencies: { ...readmeDevDependencies, ...tools },
        overrides,
      },
    },
    commonjs: {
      directory: commonjsProject,
      manifest: {
        name: "friendhook-check-commonjs",
        private: true,
        type: "commonjs",
        dependencies: { ...tarballDependencies, express: readmeDependencies.express ?? "^5" },
        devDependencies: { "@types/express": expressTypes, ...tools },
        overrides,
      },
    },
  };
  console.log(`README dependencies: ${JSON.stringify({ ...readmeDependencies, ...readmeDevDependencies })}`);

  const installed = {};
  await Promise.all(
    Object.entries(projects).map(async ([kind, project]) => {
      writeFileSync(join(project.directory, "package.json"), `${JSON.stringify(project.manifest, null, 2)}\n`);
      const began = Date.now();
      // Every warning is a failure: users meet it too (a dependency that declares a newer Node than
      // this one, 20, the packages' minimum, is an EBADENGINE warning). The install goes on, so
      // that the rest of the check still runs.
      const result = await run(
        "npm",
        ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline", "--loglevel=warn"],
        { cwd: project.directory, timeoutMs: 600_000, env: { npm_config_update_notifier: "false" } },
      );
      const warnings = result.output.split("\n").filter((line) => /npm (warn|WARN)/.test(line) && !/Unknown (user|project|global) config/.test(line));
      if (result.code !== 0) {
        fail(`npm install in the ${kind} project ${describeExit(result, 600_000)}`, tail(result.output));
        return;
      }
      if (warnings.length > 0) fail(`npm install in the ${kind} project warned`, warnings.join("\n"));
      const addon = join(project.directory, "node_modules", "better-sqlite3", "build", "Release");
      mkdirSync(addon, { recursive: true });
      copyFileSync(join(sqlite.directory, "build", "Release", "better_sqlite3.node"), join(addon, "better_sqlite3.node"));
      installed[kind] = true;
      console.log(`${kind}: installed in ${seconds(Date.now() - began)}`);
    }),
  );
  return installed;
}

// ---------------------------------------------------------------------------------------------

const compilerOptions = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  types: ["node"],
  rootDir: ".",
  outDir: "build",
};

/** A declaration file of another package than friendhook's: its own errors are not ours to fix. */
const thirdPartyDeclaration = (file) => /(^|\/)node_modules\//.test(file) && !/(^|\/)node_modules\/@friendhook\//.test(file);

/**
 * The errors of a `tsc` run, each with where it points in the repository. Declaration files are
 * checked (`skipLibCheck: false`) so that an error in friendhook's own shows, but errors inside
 * other packages' declarations (which many do not write for `exactOptionalPropertyTypes`, or for
 * an older TypeScript) are counted and left out.
 */
function typecheckFailures(output, locate) {
  const diagnostics = output.split(/\n(?=\S)/).filter((chunk) => /error TS\d+/.test(chunk));
  const problems = [];
  let ignored = 0;
  for (const diagnostic of diagnostics) {
    const match = /^(.+?)\((\d+),(\d+)\): (error TS\d+: [\s\S]*)$/.exec(diagnostic.trim());
    if (!match) problems.push({ where: "", text: diagnostic.trim() });
    else if (thirdPartyDeclaration(match[1])) ignored += 1;
    else problems.push({ where: locate(match[1], Number(match[2])), text: match[4] });
  }
  return { problems, ignored };
}

async function typecheck(directory, label, locate, { emit }) {
  // The declaration files are checked once, with the newest compiler: checking them again with the
  // oldest would mostly report other packages' declarations written for newer compilers.
  const compilers = [
    ["typescript", "tsc", emit ? [] : ["--noEmit"]],
    ["typescript-oldest", `tsc ${oldestTypeScript} (skipLibCheck)`, ["--noEmit", "--skipLibCheck"]],
  ];
  for (const [module, name, flags] of compilers) {
    const result = await run("node", [join(directory, "node_modules", module, "bin", "tsc"), "-p", directory, "--pretty", "false", ...flags], {
      cwd: directory,
      timeoutMs: 300_000,
    });
    const { problems, ignored } = typecheckFailures(result.output, locate);
    const aside = ignored > 0 ? ` (and ${ignored} inside other packages' declaration files, not friendhook's)` : "";
    if (problems.length === 0 && (result.code === 0 || ignored > 0)) {
      console.log(`${label}: ${name} finds no error${aside}`);
      continue;
    }
    if (problems.length === 0) fail(`${label}: ${name} ${describeExit(result, 300_000)}`, tail(result.output));
    for (const problem of problems) fail(`${label}, ${name}: ${problem.where}`, problem.text);
    if (ignored > 0) console.log(`${label}: ${name}${aside}`);
  }
}

async function checkCommonjsProject() {
  copyFileSync(join(support, "commonjs-app.ts"), join(commonjsProject, "app.ts"));
  writeFileSync(join(commonjsProject, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["app.ts"] }, null, 2));
  const locate = (file, line) => (file.endsWith("app.ts") ? `scripts/packed-packages/commonjs-app.ts:${line}` : `${file}:${line}`);
  await typecheck(commonjsProject, "the CommonJS application", locate, { emit: true });
  if (!existsSync(join(commonjsProject, "build", "app.js"))) return;
  const result = await run("node", [join("build", "app.js")], { cwd: commonjsProject, timeoutMs: 120_000 });
  console.log(indent(result.stdout, "    commonjs app: "));
  if (result.code !== 0) {
    fail(`the CommonJS application (scripts/packed-packages/commonjs-app.ts) ${describeExit(result, 120_000)}`, tail(result.output));
  }
}

function exampleFile(example) {
  if (example.language === "js") return join("examples", `${example.name}.mjs`);
  return join("examples", example.run.runner === "vitest" ? `${example.name}.test.ts` : `${example.name}.ts`);
}

async function typecheckExamples(examples) {
  mkdirSync(join(esmProject, "examples"));
  for (const example of examples) writeFileSync(join(esmProject, exampleFile(example)), example.code);
  for (const file of ["exercise-server.mjs", "postgres-database.mjs"]) copyFileSync(join(support, file), join(esmProject, file));
  writeFileSync(join(esmProject, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["examples/**/*.ts"] }, null, 2));
  const locate = (file, line) => {
    const example = examples.find((candidate) => file.replace(/\\/g, "/").endsWith(exampleFile(candidate).replace(/\\/g, "/")));
    return example ? `${example.readmePath}:${example.fenceLine + line} (example "${example.name}", line ${line})` : `${file}:${line}`;
  };
  await typecheck(esmProject, "the README examples", locate, { emit: true });
}

async function waitUntil(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
  return false;
}

async function runExample(example) {
  const title = `README example "${example.name}" (${example.readmePath}:${example.fenceLine})`;
  const { run: how } = example;
  const missing = [];
  for (const service of how.services ?? []) if (!(await reachable(services[service]))) missing.push(`${service} at 127.0.0.1:${services[service]}`);
  if (missing.length > 0) {
    const message = `${title} needs ${missing.join(", ")}`;
    if (servicesRequired) fail(`${message} (FRIENDHOOK_REQUIRE_SERVICES=1)`);
    else {
      skipped.push(message);
      console.log(`SKIPPED: ${message}. Set FRIENDHOOK_REQUIRE_SERVICES=1 to fail instead.`);
    }
    return;
  }

  const cwd = join(esmProject, "runs", example.name);
  mkdirSync(cwd, { recursive: true });
  const env = { ...how.env };
  if (how.services?.includes("postgres")) {
    const database = `friendhook_check_${process.pid}_${example.name.replace(/-/g, "_")}`;
    const created = await run("node", ["postgres-database.mjs", "create", database], { cwd: esmProject, timeoutMs: 60_000 });
    if (created.code !== 0) return fail(`${title}: could not create its database`, tail(created.output));
    databases.push(database);
    env.DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${database}`;
  }

  let command;
  if (how.route) {
    const module = join(esmProject, "build", exampleFile(example).replace(/\.ts$/, ".js"));
    if (!existsSync(module)) return fail(`${title}: tsc emitted no ${relative(esmProject, module)}`);
    command = ["node", [join(esmProject, "exercise-server.mjs"), how.route, pathToFileURL(module).href]];
  } else if (how.runner === "vitest") {
    const vitest = join(esmProject, "node_modules", "vitest", "vitest.mjs");
    command = ["node", [vitest, "run", "--root", esmProject, "--dir", join(esmProject, "examples"), `${example.name}.test.ts`]];
  } else {
    const script = example.language === "js" ? join(esmProject, exampleFile(example)) : join(esmProject, "build", exampleFile(example).replace(/\.ts$/, ".js"));
    if (!existsSync(script)) return fail(`${title}: tsc emitted no ${relative(esmProject, script)}`);
    command = ["node", [script]];
  }
  // Examples that share a fixed name on a shared server (a NATS stream) take turns across checks.
  if (how.exclusive && spawnSync("flock", ["--version"]).status === 0) {
    command = ["flock", ["-w", "300", join(tmpdir(), "friendhook-packed-packages.lock"), command[0], ...command[1]]];
  }

  const began = Date.now();
  const result = how.server ? await runServerExample(example, title, command, cwd, env) : await run(command[0], command[1], { cwd, env, timeoutMs: 120_000 });
  if (!result) return;
  if (result.code !== 0 && !(how.server && result.signal === "SIGTERM")) {
    return fail(`${title} ${describeExit(result, 120_000)}`, tail(result.output));
  }
  const absent = (how.output ?? []).filter((text) => !result.stdout.includes(text));
  if (absent.length > 0) {
    return fail(`${title} did not print ${absent.map((text) => JSON.stringify(text)).join(", ")}`, `It printed:\n${tail(result.output)}`);
  }
  console.log(`ok: ${example.name} (${seconds(Date.now() - began)})`);
}

/** Starts a server example, waits for its port, sends it the exercise's callbacks, then stops it. */
async function runServerExample(example, title, command, cwd, env) {
  const { run: how } = example;
  const port = await freePort();
  const child = spawn(command[0], command[1], { cwd, env: { ...userEnvironment, NO_COLOR: "1", ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let output = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise((resolvePromise) => child.on("close", (code, signal) => resolvePromise({ code, signal })));
  let ended;
  void exited.then((result) => {
    ended = result;
  });

  const stop = async () => {
    if (!ended) child.kill("SIGTERM");
    const result = await Promise.race([exited, new Promise((resolvePromise) => setTimeout(() => resolvePromise(undefined), 15_000))]);
    if (result) return result;
    child.kill("SIGKILL");
    await exited;
    return undefined;
  };

  const listening = await waitUntil(async () => ended !== undefined || (await reachable(port)), 30_000);
  if (!listening || ended) {
    await stop();
    fail(`${title} did not listen on the port in PORT (${port})`, `Read the port from process.env.PORT.\n${tail(output)}`);
    return undefined;
  }
  const exercise = await run("node", ["exercise-server.mjs", how.server, `http://127.0.0.1:${port}`], { cwd: esmProject, timeoutMs: 60_000 });
  console.log(indent(exercise.output));
  if (exercise.code !== 0) {
    await stop();
    fail(`${title}: the server did not answer as the README says`, `${tail(exercise.output)}\nThe server printed:\n${tail(output)}`);
    return undefined;
  }
  // What a server prints after it answered (a console sink delivers apart from the request).
  await waitUntil(() => (how.output ?? []).every((text) => stdout.includes(text)), 15_000);
  const result = await stop();
  if (!result) {
    fail(`${title} did not stop within 15 s of SIGTERM`, tail(output));
    return undefined;
  }
  return { ...result, stdout, output, timedOut: false };
}

// ---------------------------------------------------------------------------------------------

try {
  await main();
} catch (error) {
  fail("the check itself failed", error instanceof Error ? (error.stack ?? error.message) : String(error));
} finally {
  for (const database of databases) {
    await run("node", ["postgres-database.mjs", "drop", database], { cwd: esmProject, timeoutMs: 60_000 });
  }
  if (!keep) rmSync(workDirectory, { recursive: true, force: true });
}

console.log(`\n== Done in ${seconds(Date.now() - startedAt)}`);
for (const message of skipped) console.log(`SKIPPED: ${message}`);
if (failures.length > 0) {
  console.log(`\n${failures.length} problem(s) an npm user would meet:`);
  for (const { title, details } of failures) console.log(`\n- ${title}${details ? `\n${indent(details)}` : ""}`);
  process.exit(1);
}
console.log("Every package installs with npm, typechecks and runs its README examples.");
