/**
 * Which rows of a multi-row `INSERT … ON CONFLICT DO NOTHING` were stored, by position, given the
 * ids it returned: only the first copy of an id in the batch can have been, as rows are inserted in
 * batch order and a later copy conflicts with the first.
 */
export function storedPositions(ids: readonly string[], returnedIds: Iterable<string>): boolean[] {
  const stored = new Set(returnedIds);
  return ids.map((id) => stored.delete(id));
}
