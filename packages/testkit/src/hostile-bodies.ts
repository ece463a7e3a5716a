export interface HostileBody {
  readonly name: string;
  readonly body: Uint8Array;
}

const encode = (text: string) => new TextEncoder().encode(text);

function deeplyNested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0;
  for (let index = 0; index < length; index += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

/**
 * Bodies no provider sends. Every adapter must refuse each of them with a 4xx `FriendhookError`:
 * never another error, never a crash, never an event.
 */
export const hostileBodies: readonly HostileBody[] = [
  { name: "empty body", body: new Uint8Array() },
  { name: "whitespace only", body: encode("  \n\t ") },
  { name: "random bytes", body: pseudoRandomBytes(512, 7) },
  { name: "invalid UTF-8", body: Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) },
  { name: "truncated JSON", body: encode('{"chat_type":"roster","payload":{"operation":"add"') },
  { name: "JSON array", body: encode("[1,2,3]") },
  { name: "JSON string", body: encode('"hello"') },
  { name: "JSON number", body: encode("42") },
  { name: "JSON null", body: encode("null") },
  { name: "empty object", body: encode("{}") },
  { name: "deeply nested object", body: encode(deeplyNested(20_000)) },
  { name: "prototype pollution keys", body: encode('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') },
  { name: "huge string", body: encode(`{"x":"${"a".repeat(256 * 1024)}"}`) },
  { name: "every field the wrong type", body: encode('{"callId":1,"timestamp":"x","payload":[],"PairList":"no","CallbackCommand":7}') },
  { name: "NUL bytes", body: encode('{"a":"\u0000"}\u0000') },
  { name: "byte order mark and garbage", body: Uint8Array.from([0xef, 0xbb, 0xbf, 0x3c, 0x78, 0x6d, 0x6c, 0x3e]) },
];
