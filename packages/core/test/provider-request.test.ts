import { describe, expect, it } from "vitest";
import { createProviderRequest } from "../src/index";

describe("createProviderRequest", () => {
  it("takes undefined for every optional field, as a framework's request gives it, and uses the defaults", () => {
    const incoming: { method?: string; url?: string; headers: Record<string, string | undefined> } = { headers: {} };
    const request = createProviderRequest({
      method: incoming.method,
      path: incoming.url,
      query: undefined,
      headers: undefined,
      body: "{}",
      receivedAt: undefined,
    });
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/");
    expect([...request.query]).toEqual([]);
    expect(request.headers).toEqual({ "content-type": "application/json" });
    expect(request.receivedAt).toBeInstanceOf(Date);
  });

  it("moves a query string in the path (Node's request.url) to the query", () => {
    const request = createProviderRequest({
      path: "/callbacks/tencent?SdkAppid=1400000000&CallbackCommand=Sns.CallbackFriendAdd&Sign=a%2Bb",
      body: "{}",
    });
    expect(request.path).toBe("/callbacks/tencent");
    expect(request.query.get("SdkAppid")).toBe("1400000000");
    expect(request.query.get("CallbackCommand")).toBe("Sns.CallbackFriendAdd");
    expect(request.query.get("Sign")).toBe("a+b");
  });

  it("keeps the path's parameters before those given as query, and a path of only a query is /", () => {
    const request = createProviderRequest({ path: "?a=1&b=2", query: { b: "3" }, body: "{}" });
    expect(request.path).toBe("/");
    expect([...request.query]).toEqual([
      ["a", "1"],
      ["b", "2"],
      ["b", "3"],
    ]);
    expect(createProviderRequest({ path: "/x?", body: "" }).path).toBe("/x");
  });

  it("lower-cases header names and encodes a string body as UTF-8", () => {
    const request = createProviderRequest({ headers: { "Content-Type": "text/plain", OperationID: "1" }, body: "é" });
    expect(request.headers).toEqual({ "content-type": "text/plain", operationid: "1" });
    expect([...request.body]).toEqual([0xc3, 0xa9]);
  });
});
