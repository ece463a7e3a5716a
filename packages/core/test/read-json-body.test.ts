import { describe, expect, it } from "vitest";
import { FriendhookError, readJsonBody } from "../src/index";

const bytes = (text: string) => new TextEncoder().encode(text);

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof FriendhookError) return `${error.code}:${error.status}`;
    throw error;
  }
  return "accepted";
}

describe("readJsonBody", () => {
  it("returns the top-level object of a UTF-8 JSON body", () => {
    expect(readJsonBody(bytes('{"to":"好友","n":1}'))).toEqual({ to: "好友", n: 1 });
    expect(readJsonBody(Buffer.from('{"a":true}'))).toEqual({ a: true });
  });

  it("refuses bodies that are not a JSON object with malformed_body (400)", () => {
    expect(codeOf(() => readJsonBody(bytes("")))).toBe("malformed_body:400");
    expect(codeOf(() => readJsonBody(bytes("{\"a\":")))).toBe("malformed_body:400");
    expect(codeOf(() => readJsonBody(bytes("[1]")))).toBe("malformed_body:400");
    expect(codeOf(() => readJsonBody(bytes("null")))).toBe("malformed_body:400");
    expect(codeOf(() => readJsonBody(Uint8Array.from([0x7b, 0xff, 0x7d])))).toBe("malformed_body:400");
  });

  it("tells the user when a parsed object was passed instead of the raw bytes", () => {
    expect(() => readJsonBody({ chat_type: "roster" })).toThrow(/parsed object.*express\.json\(\)/);
    expect(codeOf(() => readJsonBody({ chat_type: "roster" }))).toBe("misconfigured:500");
    expect(() => readJsonBody('{"a":1}')).toThrow(/string was passed/);
    expect(() => readJsonBody(undefined)).toThrow(/no raw body/);
  });

  it("does not let __proto__ keys reach the prototype", () => {
    const parsed = readJsonBody(bytes('{"__proto__":{"polluted":true}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });
});
