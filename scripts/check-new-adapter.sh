#!/usr/bin/env bash
# Checks that `pnpm new:adapter` makes a package that builds and passes its tests. It works in a
# temporary copy of the workspace (only what a new adapter depends on), so the repository itself
# is never touched: generate, install from the local pnpm store, typecheck, build, test, check the
# packaging, then delete the copy. It also checks that bad names are refused.
set -euo pipefail

repository="$(cd "$(dirname "$0")/.." && pwd)"
name="${FRIENDHOOK_CHECK_ADAPTER_NAME:-acme-chat}"
package="@friendhook/${name}"

workspace="$(mktemp -d "${TMPDIR:-/tmp}/friendhook-new-adapter.XXXXXX")"
trap 'rm -rf "$workspace"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "Copying the workspace an adapter needs into ${workspace}"
# The template's workspace dependencies and everything they depend on, found from the manifests.
mapfile -t package_directories < <(
  node --input-type=module - "$repository" <<'NODE'
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
const repository = process.argv[2];
const directories = new Map();
for (const entry of readdirSync(join(repository, "packages"))) {
  const manifest = join(repository, "packages", entry, "package.json");
  if (existsSync(manifest)) directories.set(JSON.parse(readFileSync(manifest, "utf8")).name, `packages/${entry}`);
}
const workspaceDependencies = (manifest) =>
  Object.entries({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies })
    .filter(([, range]) => String(range).startsWith("workspace:"))
    .map(([dependency]) => dependency);
const pending = workspaceDependencies(JSON.parse(readFileSync(join(repository, "templates/adapter/package.json"), "utf8")));
const needed = new Set();
while (pending.length > 0) {
  const dependency = pending.pop();
  if (needed.has(dependency)) continue;
  const directory = directories.get(dependency);
  if (!directory) throw new Error(`the template depends on ${dependency}, which is not in packages/`);
  needed.add(dependency);
  pending.push(...workspaceDependencies(JSON.parse(readFileSync(join(repository, directory, "package.json"), "utf8"))));
}
for (const dependency of needed) console.log(directories.get(dependency));
NODE
)

root_files=()
for file in package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc tsconfig.base.json tsup.shared.ts vitest.shared.ts turbo.json; do
  [[ -e "${repository}/${file}" ]] && root_files+=("$file")
done
tar -C "$repository" \
  --exclude=node_modules --exclude=dist --exclude=.turbo --exclude=coverage \
  -cf - "${root_files[@]}" .changeset scripts templates "${package_directories[@]}" |
  tar -C "$workspace" -xf -
echo "packages: ${package_directories[*]}"

cd "$workspace"

step "Refusing bad names"
for bad_name in "" "Acme" "acme_chat" "-acme" "acme--chat" "core" "openim"; do
  if node scripts/new-adapter.mjs "$bad_name" >/dev/null 2>&1; then
    echo "new:adapter accepted the name '${bad_name}', which it must refuse" >&2
    exit 1
  fi
done
echo "refused: empty, upper case, underscore, leading hyphen, double hyphen, reserved"

step "Generating ${package}"
node scripts/new-adapter.mjs "$name"
if grep -rnE "__(nameCamel|name|Name|NAME|Title)__" "packages/${name}" ".changeset/${name}-adapter.md"; then
  echo "the generated package still holds template tokens" >&2
  exit 1
fi
if node scripts/new-adapter.mjs "$name" >/dev/null 2>&1; then
  echo "new:adapter generated ${name} a second time over the first" >&2
  exit 1
fi

step "Installing from the local pnpm store"
export CI=true
if ! pnpm install --offline --no-frozen-lockfile --reporter=append-only >install.log 2>&1; then
  echo "(the offline install missed a package; retrying with the registry as fallback)"
  pnpm install --prefer-offline --no-frozen-lockfile --reporter=append-only >install.log 2>&1 || { cat install.log >&2; exit 1; }
fi

step "Typecheck, build, test and packaging of ${package}"
pnpm --filter "$package" typecheck
pnpm --filter "$package" build
pnpm --filter "$package" test
pnpm --filter "$package" check:package

step "The generated adapter builds and passes its tests"
