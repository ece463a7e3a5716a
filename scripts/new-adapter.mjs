#!/usr/bin/env node
// Creates a provider adapter package from templates/adapter: `pnpm new:adapter NAME`.
// The package appears in packages/NAME with its conformance test, README and changeset; after
// `pnpm install` it builds and passes its tests, and its TODO(NAME) markers show what to replace.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const repository = join(dirname(fileURLToPath(import.meta.url)), "..");
const templateDirectory = join(repository, "templates", "adapter");
const usage = "Usage: pnpm new:adapter NAME   (lower case letters, digits and hyphens, e.g. acme-chat)";

/** Names of friendhook's own packages, present or planned; an adapter may not take one. */
const reservedNames = new Set([
  "core", "testkit", "receiver", "express", "sqlite", "postgres", "redis", "nats", "http",
  "example", "easemob", "tencent", "openim", "adapter", "template", "friendhook",
]);

function fail(message) {
  process.stderr.write(`new:adapter: ${message}\n`);
  process.exit(1);
}

function workspacePackageNames() {
  const names = new Set();
  for (const group of ["packages", "apps"]) {
    const directory = join(repository, group);
    if (!existsSync(directory)) continue;
    for (const entry of readdirSync(directory)) {
      const manifest = join(directory, entry, "package.json");
      if (!existsSync(manifest)) continue;
      try {
        names.add(JSON.parse(readFileSync(manifest, "utf8")).name);
      } catch {
        // A package being written by someone else may not parse yet; its directory still counts.
      }
    }
  }
  return names;
}

/** Returns why `name` cannot be used, or undefined when it can. */
function problemWithName(name) {
  if (!name) return "a name is required.";
  if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(name)) {
    return `"${name}" is not a valid name: use lower case letters, digits and single hyphens, starting with a letter (e.g. acme-chat).`;
  }
  if (name.length > 40) return `"${name}" is longer than 40 characters.`;
  if (reservedNames.has(name)) return `"${name}" is the name of one of friendhook's own packages.`;
  if (existsSync(join(repository, "packages", name))) return `packages/${name} already exists.`;
  if (workspacePackageNames().has(`@friendhook/${name}`)) return `@friendhook/${name} is already a workspace package.`;
  if (existsSync(join(repository, ".changeset", `${name}-adapter.md`))) return `.changeset/${name}-adapter.md already exists.`;
  return undefined;
}

/** The spellings of the name the template uses: acme-chat → AcmeChat, acmeChat, ACME_CHAT, Acme Chat. */
function tokensFor(name) {
  const words = name.split("-");
  const capitalized = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return {
    name,
    Name: capitalized.join(""),
    nameCamel: words[0] + capitalized.slice(1).join(""),
    NAME: words.map((word) => word.toUpperCase()).join("_"),
    Title: capitalized.join(" "),
  };
}

function fill(text, tokens) {
  return text.replace(/__(nameCamel|name|Name|NAME|Title)__/g, (_match, token) => tokens[token]);
}

function templateFiles(directory) {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? templateFiles(path) : [path];
  });
}

function main(argv) {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (argv.length !== 1) fail(`expected exactly one NAME.\n${usage}`);
  const [name] = argv;
  const problem = problemWithName(name);
  if (problem) fail(`${problem}\n${usage}`);
  if (!existsSync(templateDirectory)) fail(`the template directory ${relative(process.cwd(), templateDirectory)} is missing.`);

  const tokens = tokensFor(name);
  const packageDirectory = join(repository, "packages", name);
  const changesetPath = join(repository, ".changeset", `${name}-adapter.md`);
  const written = [];
  try {
    for (const source of templateFiles(templateDirectory)) {
      const relativePath = relative(templateDirectory, source);
      const target = relativePath === "changeset.md" ? changesetPath : join(packageDirectory, fill(relativePath, tokens));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, fill(readFileSync(source, "utf8"), tokens), { flag: "wx" });
      written.push(relative(repository, target));
    }
  } catch (error) {
    // Leave nothing half made behind.
    rmSync(packageDirectory, { recursive: true, force: true });
    rmSync(changesetPath, { force: true });
    fail(`could not write the package: ${error instanceof Error ? error.message : String(error)}`);
  }

  process.stdout.write(
    [
      `Created @friendhook/${name}:`,
      ...written.sort().map((path) => `  ${path}`),
      "",
      "Next:",
      "  pnpm install",
      `  pnpm --filter @friendhook/${name} test`,
      `  grep -rn "TODO(${name})" packages/${name}    # what to replace with the provider's specifics`,
      "  docs/adapters.md explains each step.",
      "",
    ].join("\n"),
  );
}

main(process.argv.slice(2));
