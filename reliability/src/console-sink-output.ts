/**
 * The console sink prints one line per delivered event, ending with its id
 * (`2022-01-20T03:16:53.494Z easemob org#app friend.added bob ⇄ alice  evt_…`); the app's own log
 * lines on the same output are JSON objects. A line cut short by `kill -9` has no complete id and
 * does not count.
 */
const deliveredLine = /^\d{4}-\d\d-\d\dT\S+Z .* (evt_[0-9a-f]{32})$/;

export function deliveredEventIds(lines: readonly string[]): string[] {
  const ids: string[] = [];
  for (const line of lines) {
    const id = deliveredLine.exec(line)?.[1];
    if (id !== undefined) ids.push(id);
  }
  return ids;
}
