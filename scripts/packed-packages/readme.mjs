// Reads what a package README promises an npm user: its install commands and its checked examples.
import { builtinModules } from "node:module";

/** The line right above a fenced block that marks it as an example the packaging check runs. */
export const exampleMarker = /^<!--\s*checked example:\s*([a-z0-9-]+)\s*-->\s*$/;

const fence = /^```(\w*)\s*$/;

/** Every fenced block of a Markdown text, with the 1-based line of its opening fence. */
export function fencedBlocks(text) {
  const lines = text.split("\n");
  const blocks = [];
  for (let index = 0; index < lines.length; index += 1) {
    const opening = fence.exec(lines[index]);
    if (!opening) continue;
    const start = index;
    let end = index + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end += 1;
    blocks.push({
      language: opening[1],
      fenceLine: start + 1,
      lineAbove: start > 0 ? lines[start - 1] : "",
      code: `${lines.slice(start + 1, end).join("\n")}\n`,
    });
    index = end;
  }
  return blocks;
}

/**
 * The packages a README tells npm users to install: every `npm install …` line of its `sh` blocks,
 * split into `dependencies` and `devDependencies` (`--save-dev`, `-D`), each with the version
 * range written (`express@^5`) or "latest". Also every install command of another package manager,
 * which package READMEs must not use.
 */
export function installCommands(text) {
  const dependencies = new Map();
  const devDependencies = new Map();
  const otherManagers = [];
  for (const block of fencedBlocks(text)) {
    if (!["sh", "bash", "shell"].includes(block.language)) continue;
    block.code.split("\n").forEach((line, offset) => {
      const where = block.fenceLine + 1 + offset;
      if (/\b(pnpm|yarn|bun)\s+(add|install)\b/.test(line)) otherManagers.push({ line: where, text: line.trim() });
      const command = /\bnpm\s+(?:install|i|add)\s+(.*)$/.exec(line);
      if (!command) return;
      const words = command[1].split(/\s+/).filter(Boolean);
      const dev = words.some((word) => word === "--save-dev" || word === "-D");
      for (const word of words) {
        if (word.startsWith("-") || word.startsWith("#")) continue;
        const at = word.lastIndexOf("@");
        const [name, range] = at > 0 ? [word.slice(0, at), word.slice(at + 1)] : [word, "latest"];
        (dev ? devDependencies : dependencies).set(name, { range, line: where });
      }
    });
  }
  return { dependencies, devDependencies, otherManagers };
}

/** The examples of a README marked `<!-- checked example: NAME -->`, in order. */
export function checkedExamples(text) {
  return fencedBlocks(text)
    .map((block) => ({ ...block, name: exampleMarker.exec(block.lineAbove)?.[1] }))
    .filter((block) => block.name !== undefined)
    .map(({ name, language, fenceLine, code }) => ({ name, language, fenceLine, code }));
}

/** Markers that are not directly above a fenced block: a marker that checks nothing. */
export function strayMarkers(text) {
  const lines = text.split("\n");
  return lines.flatMap((line, index) =>
    exampleMarker.test(line) && !fence.test(lines[index + 1] ?? "") ? [{ line: index + 1, text: line.trim() }] : [],
  );
}

const builtins = new Set(builtinModules);

/** The npm packages a piece of code imports (`import … from "x"`, `import("x")`, `require("x")`). */
export function importedPackages(code) {
  const specifiers = [
    ...code.matchAll(/\bfrom\s+["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\bimport\s+["']([^"']+)["']/g),
    ...code.matchAll(/\brequire\s*\(\s*["']([^"']+)["']\s*\)/g),
  ].map((match) => match[1]);
  const packages = new Set();
  for (const specifier of specifiers) {
    if (specifier.startsWith(".") || specifier.startsWith("node:") || builtins.has(specifier)) continue;
    const parts = specifier.split("/");
    packages.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
  }
  return [...packages].sort();
}
