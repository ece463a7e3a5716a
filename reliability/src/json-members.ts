/**
 * JSON text as a sender may write it, not only as `JSON.stringify` writes it: an object is a list of
 * members, so that a name may appear twice (JSON.parse keeps the last), and a literal may be written
 * as any text (`1.0`, `"\u0061"`, or something that is not JSON at all).
 */
export type JsonTree = null | boolean | number | string | readonly JsonTree[] | JsonMembers | JsonLiteral;

/** An object, its members in order, duplicates allowed. */
export class JsonMembers {
  constructor(readonly members: ReadonlyArray<readonly [string, JsonTree]>) {}
}

/** A value written exactly as `text`. */
export class JsonLiteral {
  constructor(readonly text: string) {}
}

/** Where a value sits: member names and array indexes from the top. */
export type JsonPath = ReadonlyArray<string | number>;

/** The tree of a parsed JSON value (plain objects become members in their key order). */
export function jsonTreeOf(value: unknown): JsonTree {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(jsonTreeOf);
  if (typeof value === "object") return new JsonMembers(Object.entries(value as Record<string, unknown>).map(([name, member]) => [name, jsonTreeOf(member)]));
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

/** The JSON text of a tree: members in order, duplicates kept, literals as written. */
export function jsonTextOf(tree: JsonTree): string {
  if (tree instanceof JsonLiteral) return tree.text;
  if (tree instanceof JsonMembers) return `{${tree.members.map(([name, value]) => `${JSON.stringify(name)}:${jsonTextOf(value)}`).join(",")}}`;
  if (Array.isArray(tree)) return `[${tree.map(jsonTextOf).join(",")}]`;
  return JSON.stringify(tree);
}

/**
 * The length of `jsonTextOf(tree)`, counted without writing it, or `Infinity` as soon as it passes
 * `limit`: a text longer than V8's largest string could not even be written.
 */
export function jsonTextLengthOf(tree: JsonTree, limit: number = Number.POSITIVE_INFINITY): number {
  let length = 0;
  const within = (added: number) => {
    length += added;
    return length <= limit;
  };
  const visit = (node: JsonTree): boolean => {
    if (node instanceof JsonLiteral) return within(node.text.length);
    if (node instanceof JsonMembers) {
      // Braces and commas, then each name with its colon, and its value.
      if (!within(1 + Math.max(1, node.members.length))) return false;
      return node.members.every(([name, value]) => within(JSON.stringify(name).length + 1) && visit(value));
    }
    if (Array.isArray(node)) {
      if (!within(1 + Math.max(1, node.length))) return false;
      return (node as readonly JsonTree[]).every(visit);
    }
    return within(JSON.stringify(node).length);
  };
  return visit(tree) ? length : Number.POSITIVE_INFINITY;
}

/** The value at `path` (the last member of a duplicated name, as JSON.parse reads it); undefined when absent. */
export function jsonValueAt(tree: JsonTree, path: JsonPath): JsonTree | undefined {
  let current: JsonTree | undefined = tree;
  for (const segment of path) {
    if (current instanceof JsonMembers) current = current.members.findLast(([name]) => name === segment)?.[1];
    else if (Array.isArray(current) && typeof segment === "number") current = (current as readonly JsonTree[])[segment];
    else return undefined;
  }
  return current;
}

/** Every path of the tree, the top (`[]`) first, then depth first. */
export function jsonPathsOf(tree: JsonTree, prefix: JsonPath = []): JsonPath[] {
  const paths: JsonPath[] = [prefix];
  if (tree instanceof JsonMembers) {
    for (const [name, value] of tree.members) paths.push(...jsonPathsOf(value, [...prefix, name]));
  } else if (Array.isArray(tree)) {
    (tree as readonly JsonTree[]).forEach((value, index) => paths.push(...jsonPathsOf(value, [...prefix, index])));
  }
  return paths;
}

/**
 * Rewrites the container that holds `path`'s last segment: `edit` gets the container's members (or
 * elements) and the segment, and returns the new ones. Paths that lead nowhere leave the tree as it is.
 */
function editParent(tree: JsonTree, path: JsonPath, edit: (container: JsonMembers | readonly JsonTree[], segment: string | number) => JsonTree): JsonTree {
  if (path.length === 0) return tree;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  if (rest.length === 0) return tree instanceof JsonMembers || Array.isArray(tree) ? edit(tree as JsonMembers | readonly JsonTree[], head) : tree;
  if (tree instanceof JsonMembers) {
    // The last member of a name is the one JSON.parse keeps: the one a path names.
    const index = tree.members.findLastIndex(([name]) => name === head);
    if (index < 0) return tree;
    const members = [...tree.members];
    const [name, value] = members[index] as readonly [string, JsonTree];
    members[index] = [name, editParent(value, rest, edit)];
    return new JsonMembers(members);
  }
  if (Array.isArray(tree) && typeof head === "number" && head < tree.length) {
    const elements = [...(tree as readonly JsonTree[])];
    elements[head] = editParent(elements[head] as JsonTree, rest, edit);
    return elements;
  }
  return tree;
}

/** The tree with the value at `path` replaced (the whole tree for `[]`). */
export function withJsonValue(tree: JsonTree, path: JsonPath, value: JsonTree): JsonTree {
  if (path.length === 0) return value;
  return editParent(tree, path, (container, segment) => {
    if (container instanceof JsonMembers) {
      const index = container.members.findLastIndex(([name]) => name === segment);
      if (index < 0) return new JsonMembers([...container.members, [String(segment), value]]);
      return new JsonMembers(container.members.map((member, at) => (at === index ? [member[0], value] : member)));
    }
    return (container as readonly JsonTree[]).map((element, at) => (at === segment ? value : element));
  });
}

/** The tree without the value at `path`: every member of that name, or the array element. */
export function withoutJsonValue(tree: JsonTree, path: JsonPath): JsonTree {
  return editParent(tree, path, (container, segment) =>
    container instanceof JsonMembers
      ? new JsonMembers(container.members.filter(([name]) => name !== segment))
      : (container as readonly JsonTree[]).filter((_, at) => at !== segment),
  );
}

/**
 * The tree with a second member named like `path`'s last segment, holding `value`, before the
 * existing one (JSON.parse then keeps the existing one) or after it (JSON.parse keeps the new one).
 */
export function withDuplicateMember(tree: JsonTree, path: JsonPath, value: JsonTree, where: "before" | "after"): JsonTree {
  return editParent(tree, path, (container, segment) => {
    if (!(container instanceof JsonMembers)) return container;
    const index = container.members.findLastIndex(([name]) => name === segment);
    if (index < 0) return container;
    const members = [...container.members];
    members.splice(where === "before" ? index : index + 1, 0, [String(segment), value]);
    return new JsonMembers(members);
  });
}

/** The tree with a member added to the object at `path` (a new name, or `__proto__`, say). */
export function withAddedMember(tree: JsonTree, path: JsonPath, name: string, value: JsonTree): JsonTree {
  const target = jsonValueAt(tree, path);
  if (!(target instanceof JsonMembers)) return tree;
  return withJsonValue(tree, path, new JsonMembers([...target.members, [name, value]]));
}
