import { describe, expect, it } from "vitest";
import { constantTimeEqual, constantTimeEqualAny, hmacSha256, hmacSha256Hex, md5Hex, sha1Hex, sha256Hex } from "../src/index";

const utf8 = new TextEncoder();

describe("hashing helpers", () => {
  it("computes Tencent's documented callback signature", () => {
    expect(sha256Hex("xxxxyyyy" + "1669872112")).toBe("17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
  });

  it("computes MD5 over UTF-8 as lowercase hex", () => {
    expect(md5Hex("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(md5Hex("好友")).toBe("59d29a3663b5647d4bc339fd3fa195aa");
    expect(md5Hex("The quick brown fox jumps over the lazy dog")).toBe("9e107d9d372bb6826bd81d3542a419d6");
  });

  it("computes HMAC-SHA256 (RFC 4231 test case 2)", () => {
    expect(hmacSha256("Jefe", "what do ya want for nothing?").toString("hex")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("hashes bytes as they are, and text as its UTF-8 bytes", () => {
    expect(sha1Hex("abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(sha1Hex(utf8.encode("abc"))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(md5Hex(utf8.encode("好友"))).toBe("59d29a3663b5647d4bc339fd3fa195aa");
    expect(sha256Hex(utf8.encode("xxxxyyyy1669872112"))).toBe("17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
    // Bytes that are not UTF-8 are hashed as they are, never decoded first.
    const notUtf8 = Uint8Array.from([0xff, 0xfe]);
    expect(sha256Hex(notUtf8)).toBe("b3d510ef04275ca8e698e5b3cbb0ece3949ef9252f0cdc839e9ee347409a2209");
    expect(sha256Hex(notUtf8)).not.toBe(sha256Hex(new TextDecoder().decode(notUtf8)));
  });

  it("computes HMAC-SHA256 over parts one after the other, text or bytes", () => {
    const whole = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    expect(hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(whole);
    expect(hmacSha256Hex("Jefe", "what do ya ", utf8.encode("want for nothing?"))).toBe(whole);
    expect(hmacSha256(utf8.encode("Jefe"), utf8.encode("what do ya want for nothing?")).toString("hex")).toBe(whole);
  });

  it("compares strings of any lengths without throwing", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("", "a")).toBe(false);
    expect(constantTimeEqual("签名é", "签名é")).toBe(true);
    expect(constantTimeEqual("签名é", "签名e")).toBe(false);
    const signature = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";
    expect(constantTimeEqual(signature, signature.split("").join(""))).toBe(true);
    expect(constantTimeEqual(signature, `${signature.slice(0, -1)}0`)).toBe(false);
    expect(constantTimeEqual(signature.repeat(100), signature.repeat(100))).toBe(true);
    // Two lone surrogates are different strings, though UTF-8 would encode both as U+FFFD.
    expect(constantTimeEqual("\ud800", "\udc00")).toBe(false);
    expect(constantTimeEqualAny("b", ["a", "b", "c"])).toBe(true);
    expect(constantTimeEqualAny("d", ["a", "b", "c"])).toBe(false);
    expect(constantTimeEqualAny("a", [])).toBe(false);
  });
});
