const whitespace = " \t\n\r";

function skipWhitespace(text: string, index: number): number {
  let position = index;
  while (position < text.length && whitespace.includes(text[position]!)) position += 1;
  return position;
}

/** The index just past the string literal that opens at `start`. */
function endOfString(text: string, start: number): number {
  let position = start + 1;
  while (position < text.length && text[position] !== '"') position += text[position] === "\\" ? 2 : 1;
  return position + 1;
}

/** The index just past the value that starts at `start`. Nesting is counted, never recursed into. */
function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return endOfString(text, start);
  if (first !== "{" && first !== "[") {
    let position = start;
    while (position < text.length && !",}]".includes(text[position]!) && !whitespace.includes(text[position]!)) position += 1;
    return position;
  }
  let depth = 0;
  let position = start;
  do {
    const character = text[position];
    if (character === '"') {
      position = endOfString(text, position);
      continue;
    }
    if (character === "{" || character === "[") depth += 1;
    else if (character === "}" || character === "]") depth -= 1;
    position += 1;
  } while (depth > 0 && position < text.length);
  return position;
}

/**
 * The JSON object `text` without its top-level members called `name` (every one, should the key
 * be repeated or written with escapes). The other members are copied as written rather than parsed
 * and serialized again: numbers keep all their digits, and a body nested deeper than
 * `JSON.stringify` can walk (which `JSON.parse` reads all the same) is handled like any other.
 * `text` must be a valid JSON object, as `readJsonBody` has checked.
 */
export function withoutJsonMember(text: string, name: string): string {
  const kept: string[] = [];
  let position = skipWhitespace(text, 0) + 1;
  for (;;) {
    position = skipWhitespace(text, position);
    if (position >= text.length || text[position] === "}") break;
    const keyStart = position;
    const keyEnd = endOfString(text, keyStart);
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    const valueEnd = endOfValue(text, valueStart);
    if (JSON.parse(text.slice(keyStart, keyEnd)) !== name) kept.push(text.slice(keyStart, valueEnd));
    position = skipWhitespace(text, valueEnd);
    if (text[position] === ",") position += 1;
  }
  return `{${kept.join(",")}}`;
}
