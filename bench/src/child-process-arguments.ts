/**
 * The Node flags a benchmark child runs with: tsx's loader (the children are TypeScript), and the
 * `@friendhook/source` condition when this process has it (`pnpm bench --source`-style runs read the
 * workspace packages from their sources; the default reads their builds, as users run them).
 */
export function childExecArguments(extra: readonly string[] = []): string[] {
  const conditions = process.execArgv.filter((argument) => argument.startsWith("--conditions"));
  return ["--import", import.meta.resolve("tsx"), ...conditions, ...extra];
}

export function readsSources(): boolean {
  return process.execArgv.some((argument) => argument === "--conditions=@friendhook/source");
}
