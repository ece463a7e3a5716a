#!/usr/bin/env bash
# Runs tests again and again while every core is kept busy by other processes, as on a loaded CI
# machine, and stops at the first failure. A test that depends on timing fails here sooner or later.
#
#   scripts/loaded-test-runs.sh [RUNS]
#       RUNS times (5 by default): a fresh clone of the current commit in a temporary directory, and
#       the README's test command in it (`pnpm install --frozen-lockfile && pnpm test`, with
#       CI=true and FRIENDHOOK_REQUIRE_SERVICES=1, as `.ci/run` runs it).
#   scripts/loaded-test-runs.sh RUNS -- COMMAND...
#       RUNS times, COMMAND in the current directory (one test file, say:
#       `-- pnpm --filter @friendhook/express exec vitest run test/delivery.test.ts`).
#
# BUSY_PROCESSES sets how many busy loops run meanwhile (the number of cores by default).
# LOADED_RUNS_DIRECTORY sets where clones and logs go (a new directory under $TMPDIR by default).
# Each run's log is kept; a clone is deleted once its run passed, and kept when it failed.
set -uo pipefail

runs=5
if [[ $# -gt 0 && $1 != "--" ]]; then
  runs=$1
  shift
fi
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS] [-- COMMAND...]" >&2
  exit 2
fi
command=()
if [[ $# -gt 0 ]]; then
  if [[ $1 != "--" || $# -lt 2 ]]; then
    echo "usage: $0 [RUNS] [-- COMMAND...]" >&2
    exit 2
  fi
  shift
  command=("$@")
fi

repository=$(git rev-parse --show-toplevel) || exit 2
commit=$(git -C "$repository" rev-parse HEAD) || exit 2
busy_processes=${BUSY_PROCESSES:-$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)}
directory=${LOADED_RUNS_DIRECTORY:-$(mktemp -d "${TMPDIR:-/tmp}/friendhook-loaded-runs-XXXXXX")}
mkdir -p "$directory"

busy_pids=()
stop_busy_loops() {
  for pid in "${busy_pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait "${busy_pids[@]}" 2>/dev/null
  busy_pids=()
}
trap stop_busy_loops EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 "$busy_processes"); do
  node -e "for (;;) {}" &
  busy_pids+=("$!")
done

if [[ ${#command[@]} -eq 0 ]]; then
  if [[ -n $(git -C "$repository" status --porcelain --untracked-files=no) ]]; then
    echo "note: uncommitted changes are not tested; the runs test commit ${commit:0:12}" >&2
  fi
  echo "$runs runs of the README's test command on fresh clones of ${commit:0:12}, $busy_processes busy processes beside them"
else
  echo "$runs runs of '${command[*]}' in $PWD, $busy_processes busy processes beside them"
fi
echo "logs in $directory"

format_seconds() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

times=()
for run in $(seq 1 "$runs"); do
  log="$directory/run-$run.log"
  started=$(date +%s)
  if [[ ${#command[@]} -eq 0 ]]; then
    clone="$directory/clone-$run"
    (
      set -e
      git clone --quiet --no-checkout "$repository" "$clone"
      cd "$clone"
      git checkout --quiet --detach "$commit"
      export CI=true FRIENDHOOK_REQUIRE_SERVICES=1 TURBO_TELEMETRY_DISABLED=1
      pnpm install --frozen-lockfile && pnpm test
    ) >"$log" 2>&1
  else
    "${command[@]}" >"$log" 2>&1
  fi
  status=$?
  elapsed=$(($(date +%s) - started))
  times+=("$(format_seconds "$elapsed")")
  load=$(cut -d " " -f 1-3 /proc/loadavg 2>/dev/null || true)
  if [[ $status -ne 0 ]]; then
    echo "run $run: FAILED after $(format_seconds "$elapsed") (exit $status, load $load); log: $log"
    [[ ${#command[@]} -eq 0 ]] && echo "the clone is kept: $clone"
    grep -E "FAIL|✗|×|Error:|failed" "$log" | head -n 20
    exit 1
  fi
  echo "run $run: passed in $(format_seconds "$elapsed") (load $load)"
  [[ ${#command[@]} -eq 0 ]] && rm -rf "$clone"
done
echo "all $runs runs passed on ${commit:0:12}: ${times[*]}"
