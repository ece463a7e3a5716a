import { describe, expect, it } from "vitest";
import { type JsonTree, JsonLiteral, JsonMembers, jsonTextLengthOf, jsonTextOf, jsonTreeOf } from "../src/json-members";

describe("the length of a JSON text, counted without writing it", () => {
  const trees: JsonTree[] = [
    null,
    true,
    0,
    -1.5e300,
    "",
    "é😀\u0000\"\\",
    [],
    [[]],
    [1, "two", null, [false]],
    new JsonMembers([]),
    new JsonMembers([["a", 1]]),
    new JsonMembers([["a", 1], ["a", new JsonLiteral("1.0")], ["", new JsonMembers([["\u2028", []]])]]),
    jsonTreeOf({ CallbackCommand: "Sns.CallbackFriendAdd", PairList: [{ From_Account: "ann", To_Account: "bob" }], ClientCmd: "friend_add" }),
  ];

  it("is the length of the text jsonTextOf writes", () => {
    for (const tree of trees) expect(jsonTextLengthOf(tree)).toBe(jsonTextOf(tree).length);
  });

  it("stops at the limit, for a text too long to write (a long string in a list repeated ten thousand times)", () => {
    const long = "x".repeat(100_000);
    const tree = Array.from({ length: 10_001 }, () => long);
    // Past V8's largest string (2^29 - 24 units): jsonTextOf would throw a RangeError.
    expect(jsonTextLengthOf(tree)).toBe(10_001 * 100_002 + 10_002);
    expect(jsonTextLengthOf(tree)).toBeGreaterThan(2 ** 29);
    expect(jsonTextLengthOf(tree, 8 * 1024 * 1024)).toBe(Number.POSITIVE_INFINITY);
    expect(jsonTextLengthOf(["x".repeat(100_000)], 8 * 1024 * 1024)).toBe(100_004);
  });
});
