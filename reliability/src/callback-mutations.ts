import { signEasemobCallback } from "@friendhook/easemob";
import { signTencentRequest } from "@friendhook/tencent";
import type { CallbackShape } from "./callback-shape";
import { type ReliabilityCredentials, reliabilityCredentials } from "./credentials";
import {
  type JsonPath,
  type JsonTree,
  JsonLiteral,
  JsonMembers,
  jsonPathsOf,
  jsonTextLengthOf,
  jsonTextOf,
  jsonValueAt,
  withAddedMember,
  withDuplicateMember,
  withJsonValue,
  withoutJsonValue,
} from "./json-members";
import type { SeededRandom } from "./seeded-random";

/** One changed copy of a genuine callback, and what was changed (to read in a failure). */
export interface CallbackMutation {
  readonly name: string;
  readonly shape: CallbackShape;
}

export interface MutationContext {
  readonly random: SeededRandom;
  /**
   * What only this genuine callback's own signed fields contain (its Easemob `msg_id`): an Easemob
   * body is re-signed only while its `callId` still holds it, so that no two genuine callbacks'
   * mutations can share a signature, and the first body bound to one is always decided by this run.
   */
  readonly uniqueMark: string;
  readonly credentials?: ReliabilityCredentials;
  /** The most events a callback may make (Tencent's and OpenIM's default cap): lists one longer are tried. */
  readonly maximumEventsPerCallback: number;
}

type Operator = (shape: CallbackShape, context: MutationContext) => CallbackMutation | undefined;

const pick = <Item>(random: SeededRandom, items: readonly Item[]): Item => items[random.below(items.length)] as Item;
const encoder = new TextEncoder();
const describePath = (path: JsonPath) => (path.length === 0 ? "the body" : path.join("."));

function treeOf(shape: CallbackShape): JsonTree | undefined {
  return shape.body instanceof Uint8Array ? undefined : shape.body;
}

function bytesOf(shape: CallbackShape): Uint8Array {
  return shape.body instanceof Uint8Array ? shape.body : encoder.encode(jsonTextOf(shape.body));
}

/** A path of the body other than the top, picked at random; undefined for a body of bytes. */
function somePath(shape: CallbackShape, random: SeededRandom, accept: (value: JsonTree | undefined) => boolean = () => true): JsonPath | undefined {
  const tree = treeOf(shape);
  if (tree === undefined) return undefined;
  const paths = jsonPathsOf(tree).filter((path) => path.length > 0 && accept(jsonValueAt(tree, path)));
  return paths.length === 0 ? undefined : pick(random, paths);
}

/**
 * The longest body text a mutation may make, in UTF-16 units: eight times the largest body limit the
 * tests give the app, which refuses anything over its limit by the length alone. Changes compound (a
 * string of 100,000 units in a list repeated 10,001 times), and past V8's largest string the body
 * could not even be written.
 */
const longestBodyText = 8 * 1024 * 1024;

function isWritable(shape: CallbackShape): boolean {
  const tree = treeOf(shape);
  return tree === undefined || jsonTextLengthOf(tree, longestBodyText) <= longestBodyText;
}

function withBody(shape: CallbackShape, name: string, body: JsonTree | Uint8Array): CallbackMutation {
  return { name, shape: { ...shape, body } };
}

// Types: every JSON type in place of a value, and the value's own content in another type.
const otherValues: readonly JsonTree[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53 + 2,
  "",
  "0",
  "true",
  "null",
  [],
  [null],
  new JsonMembers([]),
  new JsonMembers([["value", "x"]]),
  new JsonLiteral("-0"),
  new JsonLiteral("1e400"),
  new JsonLiteral("1.0"),
];

function sameContentOtherType(value: JsonTree | undefined): JsonTree[] {
  if (typeof value === "number") return [String(value), [value], new JsonMembers([["value", value]])];
  if (typeof value === "string") return [...(/^-?\d+(\.\d+)?$/.test(value) && value.length < 16 ? [Number(value)] : []), [value], new JsonMembers([[value, value]])];
  if (value instanceof JsonMembers || Array.isArray(value)) return [[value], jsonTextOf(value)];
  return [];
}

const changeType: Operator = (shape, { random }) => {
  const path = somePath(shape, random);
  if (!path) return undefined;
  const original = jsonValueAt(treeOf(shape) as JsonTree, path);
  const value = pick(random, [...otherValues, ...sameContentOtherType(original)]);
  return withBody(shape, `type: ${describePath(path)} becomes ${jsonTextOf(value).slice(0, 40)}`, withJsonValue(treeOf(shape) as JsonTree, path, value));
};

// Sizes: strings of the user-id limit and far beyond, lists emptied, repeated, or just over the event cap; deep nesting.
function longString(random: SeededRandom, seed: string): { label: string; value: string } {
  const unit = pick(random, ["x", "é", "😀", seed.slice(0, 8) || "x"]);
  const length = pick(random, [256, 257, 1000, 10_000, 100_000]);
  // Counted in UTF-16 code units, as JavaScript (and the user-id rule) counts.
  const value = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  return { label: `${length} UTF-16 units of ${JSON.stringify(unit)}`, value: unit === "😀" && value.length % 2 === 1 ? value.slice(0, -1) : value };
}

const changeSize: Operator = (shape, context) => {
  const { random } = context;
  const tree = treeOf(shape);
  if (tree === undefined) return undefined;
  const kind = random.below(4);
  if (kind === 0) {
    const path = somePath(shape, random, (value) => typeof value === "string");
    if (!path) return undefined;
    const { label, value } = longString(random, String(jsonValueAt(tree, path)));
    return withBody(shape, `size: ${describePath(path)} is ${label}`, withJsonValue(tree, path, value));
  }
  if (kind === 1) {
    const path = somePath(shape, random, (value) => Array.isArray(value));
    if (!path) return undefined;
    const list = jsonValueAt(tree, path) as readonly JsonTree[];
    // Just over the cap is refused before the list is read; lists within it that large are the amplification test's.
    const length = pick(random, [0, 1, 2, 100, context.maximumEventsPerCallback + 1]);
    if (list.length === 0 && length > 0) return undefined;
    const value = Array.from({ length }, (_, index) => list[index % list.length] as JsonTree);
    return withBody(shape, `size: ${describePath(path)} holds ${length} entries`, withJsonValue(tree, path, value));
  }
  if (kind === 2) {
    const path = somePath(shape, random, (value) => value instanceof JsonMembers);
    if (!path) return undefined;
    return withBody(shape, `size: ${describePath(path)} is an empty object`, withJsonValue(tree, path, new JsonMembers([])));
  }
  const path = somePath(shape, random) ?? [];
  const depth = pick(random, [64, 1000, 100_000]);
  const original = jsonValueAt(tree, path) ?? null;
  const nested = new JsonLiteral(`${"[".repeat(depth)}${jsonTextOf(original)}${"]".repeat(depth)}`);
  return withBody(shape, `size: ${describePath(path)} nested in ${depth} arrays`, withJsonValue(tree, path, nested));
};

// Encodings of text: control characters, lone surrogates, look-alikes, case, escapes that mean the same.
function escapedEveryCharacter(text: string): JsonLiteral {
  return new JsonLiteral(`"${Array.from(text, (character) => [...character].map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")).join("")}"`);
}

function textVariants(text: string): Array<[string, JsonTree]> {
  const middle = Math.floor(text.length / 2);
  const fullWidth = text.replace(/[!-~]/g, (character) => String.fromCharCode(character.charCodeAt(0) + 0xfee0));
  return [
    ["a NUL at the end", `${text}\u0000`],
    ["a NUL in the middle", `${text.slice(0, middle)}\u0000${text.slice(middle)}`],
    ["a control character", `${text}\u0001`],
    ["a DEL", `${text}\u007f`],
    ["a C1 control character", `${text}\u0085`],
    ["a line break", `${text}\n`],
    ["a lone high surrogate", new JsonLiteral(`${JSON.stringify(text).slice(0, -1)}\\ud800"`)],
    ["a lone low surrogate", new JsonLiteral(`"\\udc00${JSON.stringify(text).slice(1)}`)],
    ["an emoji", `${text}😀`],
    ["a combining accent", `${text}\u0301`],
    ["a right-to-left override", `\u202e${text}`],
    ["a zero-width space", `${text.slice(0, middle)}\u200b${text.slice(middle)}`],
    ["a byte-order mark", `\ufeff${text}`],
    ["full-width look-alikes", fullWidth],
    ["upper case", text.toUpperCase()],
    ["lower case", text.toLowerCase()],
    ["a leading space", ` ${text}`],
    ["a trailing space", `${text} `],
    ["the empty string", ""],
    ["every character escaped (the same text)", escapedEveryCharacter(text)],
    ["a slash escaped (the same text)", new JsonLiteral(JSON.stringify(text).replace(/\//g, "\\/"))],
  ];
}

function numberVariants(value: number): Array<[string, JsonTree]> {
  return [
    ["written with .0 (the same number)", new JsonLiteral(`${value}.0`)],
    ["written with an exponent (the same number)", new JsonLiteral(`${value}e0`)],
    ["written with a leading zero (not JSON)", new JsonLiteral(`0${value}`)],
    ["written with a plus sign (not JSON)", new JsonLiteral(`+${value}`)],
    ["written in hexadecimal (not JSON)", new JsonLiteral(`0x${Math.abs(Math.trunc(value)).toString(16)}`)],
    ["one more", value + 1],
    ["one less", value - 1],
    ["negated", -value],
    ["a thousand times larger", value * 1000],
    ["a thousand times smaller", Math.floor(value / 1000)],
    ["NaN (not JSON)", new JsonLiteral("NaN")],
  ];
}

const changeEncoding: Operator = (shape, { random }) => {
  const path = somePath(shape, random, (value) => typeof value === "string" || typeof value === "number");
  if (!path) return undefined;
  const tree = treeOf(shape) as JsonTree;
  const original = jsonValueAt(tree, path) as string | number;
  const [label, value] = pick(random, typeof original === "string" ? textVariants(original) : numberVariants(original));
  return withBody(shape, `encoding: ${describePath(path)} with ${label}`, withJsonValue(tree, path, value));
};

// Members: missing, repeated with the same or another value (JSON.parse keeps the last), added.
const memberNames = ["extra", "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "", "\u0000", "a".repeat(300)];

const changeMembers: Operator = (shape, { random }) => {
  const tree = treeOf(shape);
  if (tree === undefined) return undefined;
  const kind = random.below(4);
  if (kind === 0) {
    const path = somePath(shape, random);
    if (!path) return undefined;
    return withBody(shape, `missing: ${describePath(path)}`, withoutJsonValue(tree, path));
  }
  if (kind === 1 || kind === 2) {
    const path = somePath(shape, random);
    if (!path || typeof path.at(-1) !== "string") return undefined;
    const original = jsonValueAt(tree, path) as JsonTree;
    const same = kind === 1;
    const value = same ? original : pick(random, [...otherValues, ...textVariants(typeof original === "string" ? original : "x").map(([, variant]) => variant)]);
    const where = random.below(2) === 0 ? "before" : "after";
    const label = same ? "with the same value" : `with ${jsonTextOf(value).slice(0, 40)} ${where === "before" ? "first" : "last"}`;
    return withBody(shape, `duplicated: ${describePath(path)} ${label}`, withDuplicateMember(tree, path, value, where));
  }
  const objects = jsonPathsOf(tree).filter((path) => jsonValueAt(tree, path) instanceof JsonMembers);
  const path = pick(random, objects);
  const name = pick(random, memberNames);
  const value = pick(random, [...otherValues, new JsonMembers([["polluted", true]])]);
  return withBody(shape, `added: ${JSON.stringify(name.slice(0, 20))} in ${describePath(path)}`, withAddedMember(tree, path, name, value));
};

// The body's bytes: a byte-order mark, UTF-16, Latin-1, invalid UTF-8, cut short, trailing bytes, a flipped byte, nothing.
const changeBytes: Operator = (shape, { random }) => {
  const bytes = bytesOf(shape);
  const text = new TextDecoder().decode(bytes);
  const at = random.below(bytes.length + 1);
  const splice = (inserted: number[]) => Uint8Array.from([...bytes.subarray(0, at), ...inserted, ...bytes.subarray(at)]);
  const variants: Array<[string, () => Uint8Array]> = [
    ["a UTF-8 byte-order mark first", () => Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes])],
    ["encoded as UTF-16LE with a byte-order mark", () => Uint8Array.from(Buffer.from(`\ufeff${text}`, "utf16le"))],
    ["encoded as UTF-16LE", () => Uint8Array.from(Buffer.from(text, "utf16le"))],
    ["encoded as UTF-16BE", () => Uint8Array.from(Buffer.from(text, "utf16le").swap16())],
    ["encoded as Latin-1", () => Uint8Array.from(Buffer.from(text, "latin1"))],
    [`a lone continuation byte at ${at}`, () => splice([0x80])],
    [`an overlong encoding at ${at}`, () => splice([0xc0, 0xaf])],
    [`an encoded surrogate at ${at}`, () => splice([0xed, 0xa0, 0x80])],
    [`a truncated sequence at ${at}`, () => splice([0xe2, 0x82])],
    [`a NUL byte at ${at}`, () => splice([0])],
    [`cut after ${at} bytes`, () => bytes.slice(0, at)],
    ["a second JSON value after it", () => Uint8Array.from([...bytes, ...encoder.encode("{}")])],
    ["text after it", () => Uint8Array.from([...bytes, ...encoder.encode("x")])],
    ["whitespace around it", () => Uint8Array.from([...encoder.encode(" \n\t"), ...bytes, ...encoder.encode("\r\n ")])],
    [`byte ${at} changed`, () => bytes.map((byte, index) => (index === at ? (byte + 1 + random.below(255)) % 256 : byte))],
    ["no body", () => new Uint8Array()],
    ["inside an array", () => Uint8Array.from([0x5b, ...bytes, 0x5d])],
    ["as a JSON string", () => encoder.encode(JSON.stringify(text))],
    ["null", () => encoder.encode("null")],
  ];
  const [label, build] = pick(random, variants);
  return withBody(shape, `bytes: ${label}`, build());
};

// The query: parameters missing, repeated (URLSearchParams.get reads the first), empty, renamed, encoded, added, of other types.
const queryValues = ["", "0", "-1", "1.5", "1e3", "null", "[]", "%00", "%C3%A9", "%E2%80%AE", "%F0%9F%98%80", "%ED%A0%80", "+", "٣", "9".repeat(400), "x".repeat(3000)];

/** The same text as URLSearchParams reads it, every byte percent-encoded (a value that does not decode keeps its own bytes). */
function percentEncodedEveryByte(text: string): string {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    // Not valid percent-encoded UTF-8: encode the text as written.
  }
  return [...encoder.encode(decoded)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");
}

const changeQuery: Operator = (shape, { random }) => {
  const query = [...shape.query];
  const kind = random.below(7);
  const index = random.below(Math.max(1, query.length));
  const existing = query[index];
  const withQuery = (name: string, changed: ReadonlyArray<readonly [string, string | undefined]>): CallbackMutation => ({
    name: `query: ${name}`,
    shape: { ...shape, query: changed },
  });
  if (kind === 6 || existing === undefined) {
    const name = pick(random, ["x", "__proto__", "constructor", "Sign", "RequestTime", "SdkAppid", "CallbackCommand", "contenttype"]);
    const value = pick(random, queryValues);
    return withQuery(`${name}=${value.slice(0, 20)} added`, [...query, [name, value]]);
  }
  const [name, value] = existing;
  if (kind === 0) return withQuery(`${name} missing`, query.filter((_, at) => at !== index));
  if (kind === 1) {
    const other = pick(random, [value ?? "", ...queryValues]);
    const first = random.below(2) === 0;
    const changed = [...query];
    changed.splice(first ? index : index + 1, 0, [name, other]);
    return withQuery(`${name} repeated with ${other.slice(0, 20)} ${first ? "first" : "last"}`, changed);
  }
  if (kind === 2) return withQuery(`${name} empty`, query.map((entry, at) => (at === index ? [name, random.below(2) === 0 ? "" : undefined] : entry)));
  if (kind === 3) {
    const renamed = random.below(2) === 0 ? name.toLowerCase() : name.toUpperCase();
    return withQuery(`${name} spelled ${renamed}`, query.map((entry, at) => (at === index ? [renamed, value] : entry)));
  }
  if (kind === 4) {
    const encodeName = random.below(2) === 0;
    const changed = query.map((entry, at): readonly [string, string | undefined] =>
      at !== index ? entry : encodeName ? [percentEncodedEveryByte(name), value] : [name, percentEncodedEveryByte(value ?? "")],
    );
    return withQuery(`${name}'s ${encodeName ? "name" : "value"} percent-encoded (the same text)`, changed);
  }
  const other = pick(random, queryValues);
  return withQuery(`${name} is ${other.slice(0, 20)}`, query.map((entry, at) => (at === index ? [name, other] : entry)));
};

// Headers: content types and encodings the receiver takes or refuses, repeated and missing headers, OpenIM's token and operation id.
const contentTypes = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json;charset=UTF-8",
  "APPLICATION/JSON",
  "text/plain",
  "text/plain; charset=utf-8",
  "application/vnd.api+json",
  'application/json; charset="utf-8"',
  "text/html",
  "application/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "application/json; charset=utf-16",
  "application/octet-stream",
  "json",
];

function headerValues(name: string, credentials: ReliabilityCredentials): string[] {
  const token = credentials.openImToken;
  if (name === "content-type") return contentTypes;
  if (name === "content-encoding") return ["gzip", "br", "deflate", "identity", ""];
  if (name === "authorization") {
    return [
      `bearer ${token}`,
      `Bearer  ${token} `,
      `Basic ${Buffer.from(`friendhook:${token}`).toString("base64")}`,
      `Basic ${Buffer.from(`:${token}`).toString("base64")}`,
      `Basic ${Buffer.from(token).toString("base64")}`,
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token.toUpperCase()}`,
      `Token ${token}`,
      token,
      "Bearer",
      "Bearer ",
      `Bearer ${credentials.tencentToken}`,
    ];
  }
  if (name === "operationid") return ["", " ", "x".repeat(300), "x".repeat(3000), "op-1", "%00"];
  return ["1", "", "x".repeat(1000)];
}

const changeHeaders: Operator = (shape, { random, credentials = reliabilityCredentials }) => {
  const headers = [...shape.headers];
  const name = pick(random, ["content-type", "content-encoding", "authorization", "operationid", "x-forwarded-for"]);
  const kind = random.below(3);
  const withHeaders = (label: string, changed: ReadonlyArray<readonly [string, string]>): CallbackMutation => ({
    name: `header: ${label}`,
    shape: { ...shape, headers: changed },
  });
  if (kind === 0) return withHeaders(`${name} missing`, headers.filter(([header]) => header !== name));
  const value = pick(random, headerValues(name, credentials));
  if (kind === 1) return withHeaders(`${name}: ${value.slice(0, 40)}`, [...headers.filter(([header]) => header !== name), [name, value]]);
  const first = random.below(2) === 0;
  const index = headers.findIndex(([header]) => header === name);
  const changed = [...headers];
  changed.splice(index < 0 ? changed.length : first ? index : index + 1, 0, [name, value]);
  return withHeaders(`${name} repeated with ${value.slice(0, 40)} ${first ? "first" : "last"}`, changed);
};

const changeMethod: Operator = (shape, { random }) => {
  const method = pick(random, ["GET", "PUT", "PATCH", "DELETE"]);
  return { name: `method: ${method}`, shape: { ...shape, method } };
};

/** OpenIM names the command in the path, too. */
const changePath: Operator = (shape, { random }) => {
  if (shape.route !== "openim") return undefined;
  const command = shape.path.split("/").at(-1) ?? "";
  const path = pick(random, [
    "/webhooks/openim",
    `/webhooks/openim/${command.toLowerCase()}`,
    `/webhooks/openim/${command}/extra`,
    "/webhooks/openim/callbackAfterDeleteFriendCommand",
    "/webhooks/openim/callbackAfterImportFriendsCommand",
    "/webhooks/openim/callbackBeforeSendSingleMsgCommand",
    `/webhooks/openim/${encodeURIComponent("a b")}`,
  ]);
  return { name: `path: ${path}`, shape: { ...shape, path } };
};

// Signed times: Tencent's RequestTime moved (re-signed or not), away from the edges of the 60 s window.
const changeSignedTime: Operator = (shape, { random, credentials = reliabilityCredentials }) => {
  if (shape.route !== "tencent") return undefined;
  const offset = pick(random, [-3600, -150, -5, 5, 150, 3600]);
  const requestTime = String(Math.floor(Date.now() / 1000) + offset);
  const resign = random.below(2) === 0;
  const query = shape.query.map(([name, value]): readonly [string, string | undefined] => {
    if (name === "RequestTime") return [name, requestTime];
    if (name === "Sign" && resign) return [name, signTencentRequest(credentials.tencentToken, requestTime)];
    return [name, value];
  });
  return { name: `signed time: RequestTime ${offset > 0 ? "+" : ""}${offset} s${resign ? ", re-signed" : ""}`, shape: { ...shape, query } };
};

/** Operators and how often each is drawn. */
const operators: ReadonlyArray<readonly [Operator, number]> = [
  [changeType, 16],
  [changeSize, 8],
  [changeEncoding, 14],
  [changeMembers, 14],
  [changeBytes, 10],
  [changeQuery, 8],
  [changeHeaders, 8],
  [changeMethod, 1],
  [changePath, 2],
  [changeSignedTime, 3],
];
const totalWeight = operators.reduce((sum, [, weight]) => sum + weight, 0);

function drawOperator(random: SeededRandom): Operator {
  let draw = random.below(totalWeight);
  for (const [operator, weight] of operators) {
    if (draw < weight) return operator;
    draw -= weight;
  }
  return changeType;
}

/**
 * Signs a changed Easemob body again, as someone holding the secret would, when its signed fields
 * still can be (a string `callId` that still holds this callback's mark, a number `timestamp`); the
 * changes then reach past the signature check.
 */
function resignEasemob(shape: CallbackShape, context: MutationContext): CallbackMutation | undefined {
  const tree = treeOf(shape);
  if (tree === undefined) return undefined;
  const callId = jsonValueAt(tree, ["callId"]);
  const timestamp = jsonValueAt(tree, ["timestamp"]);
  if (typeof callId !== "string" || !callId.includes(context.uniqueMark) || typeof timestamp !== "number") return undefined;
  const secret = pick(context.random, (context.credentials ?? reliabilityCredentials).easemobSecrets);
  return withBody(shape, "re-signed", withJsonValue(tree, ["security"], signEasemobCallback({ callId, timestamp }, secret)));
}

/**
 * One mutation of a genuine callback: one to three changes of its types, sizes, encodings, members,
 * bytes, query, headers, method, path or signed time, drawn from `context.random`; an Easemob body
 * is then re-signed one time in three.
 */
export function mutateCallback(genuine: CallbackShape, context: MutationContext): CallbackMutation {
  const { random } = context;
  const changes = 1 + (random.below(4) === 0 ? 1 + random.below(2) : 0);
  let shape = genuine;
  const names: string[] = [];
  for (let attempt = 0; names.length < changes && attempt < 20; attempt += 1) {
    const mutation = drawOperator(random)(shape, context);
    if (mutation === undefined || !isWritable(mutation.shape)) continue;
    shape = mutation.shape;
    names.push(mutation.name);
  }
  if (shape.route === "easemob" && random.below(3) === 0) {
    const resigned = resignEasemob(shape, context);
    if (resigned) {
      shape = resigned.shape;
      names.push(resigned.name);
    }
  }
  return { name: names.join("; "), shape };
}
