// Character codes, compared as numbers: this scans every callback's body, and one-character
// strings and `includes` cost several times as much per character.
const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function skipWhitespace(text: string, index: number): number {
  let position = index;
  while (position < text.length && isWhitespace(text.charCodeAt(position))) position += 1;
  return position;
}

/** The index just past the string literal that opens at `start`. */
function endOfString(text: string, start: number): number {
  let position = start + 1;
  for (;;) {
    const code = text.charCodeAt(position);
    if (Number.isNaN(code) || code === quote) return position + 1;
    position += code === backslash ? 2 : 1;
  }
}

/** The index just past the value that starts at `start`. Nesting is counted, never recursed into. */
function endOfValue(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === quote) return endOfString(text, start);
  if (first !== openBrace && first !== openBracket) {
    let position = start;
    for (; position < text.length; position += 1) {
      const code = text.charCodeAt(position);
      if (code === comma || code === closeBrace || code === closeBracket || isWhitespace(code)) break;
    }
    return position;
  }
  let depth = 0;
  let position = start;
  do {
    const code = text.charCodeAt(position);
    if (code === quote) {
      position = endOfString(text, position);
      continue;
    }
    if (code === openBrace || code === openBracket) depth += 1;
    else if (code === closeBrace || code === closeBracket) depth -= 1;
    position += 1;
  } while (depth > 0 && position < text.length);
  return position;
}

/** Whether the key literal between `start` and `end` (quotes included) names `name`; escapes are decoded. */
function keyNames(text: string, start: number, end: number, name: string): boolean {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes("\\") ? JSON.parse(text.slice(start, end)) === name : raw === name;
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
    if (position >= text.length || text.charCodeAt(position) === closeBrace) break;
    const keyStart = position;
    const keyEnd = endOfString(text, keyStart);
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    const valueEnd = endOfValue(text, valueStart);
    if (!keyNames(text, keyStart, keyEnd, name)) kept.push(text.slice(keyStart, valueEnd));
    position = skipWhitespace(text, valueEnd);
    if (text.charCodeAt(position) === comma) position += 1;
  }
  return `{${kept.join(",")}}`;
}
