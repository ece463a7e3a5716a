import { readFileSync } from "node:fs";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

/** The `.cpuprofile` format that `node --cpu-prof` writes (the V8 inspector's Profile). */
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotFunction {
  /** `name (file:line)`, with the path shortened to the package. */
  readonly frame: string;
  /** Share of the busy time spent in the function itself. */
  readonly selfShare: number;
  /** Share of the busy time spent in it or in anything it called. */
  readonly totalShare: number;
}

/** `packages/tencent/src/tencent-events.ts`, `node_modules/zod/…`, or the node: URL as is. */
function shortLocation(url: string): string {
  const packageMatch = /\/(packages|apps)\/([^/]+)\/(.*)$/.exec(url);
  if (packageMatch) return `${packageMatch[1]}/${packageMatch[2]}/${packageMatch[3]}`;
  const moduleIndex = url.lastIndexOf("/node_modules/");
  if (moduleIndex >= 0) return url.slice(moduleIndex + 1).replace(/^node_modules\/\.pnpm\/[^/]+\/node_modules\//, "node_modules/");
  return url;
}

function frameName(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  return `${name} (${shortLocation(frame.url)}:${frame.lineNumber + 1})`;
}

/**
 * Every function a profile spent time in, with its share of the busy (not idle) time, by itself and
 * with what it called. The garbage collector appears under its V8 name, `(garbage collector)`.
 */
export function readProfile(path: string): HotFunction[] {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

  const selfTime = new Map<string, number>();
  const totalTime = new Map<string, number>();
  let allTime = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const node = nodes.get(nodeId);
    // Shares are of the time the process was busy: a server waits for the load generator, and its
    // profile spans the whole run, other servers' turns included.
    if (!node || node.callFrame.functionName === "(idle)") return;
    allTime += delta;
    const self = frameName(node.callFrame);
    selfTime.set(self, (selfTime.get(self) ?? 0) + delta);
    // A recursive function counts once per sample towards its total.
    const seen = new Set<string>();
    for (let current: number | undefined = nodeId; current !== undefined; current = parents.get(current)) {
      const ancestor = nodes.get(current);
      if (!ancestor) break;
      const name = frameName(ancestor.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      totalTime.set(name, (totalTime.get(name) ?? 0) + delta);
    }
  });
  return [...totalTime.entries()].map(([frame, total]) => ({
    frame,
    selfShare: (selfTime.get(frame) ?? 0) / allTime,
    totalShare: total / allTime,
  }));
}

/** The functions with the most self time: where the processor actually was. */
export function hottestBySelfTime(functions: readonly HotFunction[], limit = 25): HotFunction[] {
  return [...functions].sort((left, right) => right.selfShare - left.selfShare).slice(0, limit);
}

/** The functions of `packages/` and `apps/` with the most total time: which of our code paths cost. */
export function hottestOwnCode(functions: readonly HotFunction[], limit = 25): HotFunction[] {
  return functions
    .filter((hot) => /\((packages|apps)\//.test(hot.frame))
    .sort((left, right) => right.totalShare - left.totalShare)
    .slice(0, limit);
}
