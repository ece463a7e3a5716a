import { FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildTencentCallback, createTencentAdapter, signTencentRequest } from "../src/index";
import { adapterWith, fixedNow, fixedRequestTime, fixture, sdkAppId, token } from "./support";
import { refusalOf, refusalThrownBy } from "@friendhook/testkit";

const command = "Sns.CallbackFriendDelete";
const body = fixture("seed-004-friend-delete.json");

describe("signTencentRequest", () => {
  it("matches Tencent's documented example", () => {
    expect(signTencentRequest("xxxxyyyy", 1669872112)).toBe("17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
    expect(signTencentRequest("xxxxyyyy", "1669872112")).toBe("17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
  });

  it("verifies the documented example end to end", async () => {
    const adapter = createTencentAdapter({ sdkAppIds: [sdkAppId], token: "xxxxyyyy", now: () => new Date(1669872112 * 1000 + 30_000) });
    const request = buildTencentCallback({ sdkAppId, command, body });
    request.query.set("RequestTime", "1669872112");
    request.query.set("Sign", "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
    expect((await adapter.receive(request)).events).toHaveLength(3);
  });
});

describe("the SdkAppid check", () => {
  it("refuses another app, and a URL without SdkAppid, with app_mismatch 403", async () => {
    const other = await refusalOf(adapterWith().receive(buildTencentCallback({ sdkAppId: "1400000001", token, command, body, requestTime: fixedRequestTime })));
    expect(other).toMatchObject({ code: "app_mismatch", status: 403 });
    const request = buildTencentCallback({ sdkAppId, token, command, body, requestTime: fixedRequestTime });
    request.query.delete("SdkAppid");
    expect(await refusalOf(adapterWith().receive(request))).toMatchObject({ code: "app_mismatch", status: 403 });
  });

  it("accepts any of several configured apps and names the app in every event", async () => {
    const adapter = adapterWith({ sdkAppIds: [sdkAppId, "1600000042"] });
    const received = await adapter.receive(buildTencentCallback({ sdkAppId: "1600000042", token, command, body, requestTime: fixedRequestTime }));
    expect(received.appId).toBe("1600000042");
    expect(received.events.every((event) => event.appId === "1600000042")).toBe(true);
  });
});

describe("callback authentication with a token", () => {
  const request = (overrides: { token?: string; requestTime?: number } = {}) =>
    buildTencentCallback({ sdkAppId, command, body, token: overrides.token ?? token, requestTime: overrides.requestTime ?? fixedRequestTime });

  it("accepts a correct Sign within the clock window on either side", async () => {
    for (const offset of [-60, -1, 0, 1, 60]) {
      const received = await adapterWith().receive(request({ requestTime: fixedRequestTime + offset }));
      expect(received.events).toHaveLength(3);
    }
  });

  it("refuses a request without Sign or RequestTime with missing_signature 401", async () => {
    const unsigned = buildTencentCallback({ sdkAppId, command, body });
    expect(await refusalOf(adapterWith().receive(unsigned))).toMatchObject({ code: "missing_signature", status: 401 });
    const withoutTime = request();
    withoutTime.query.delete("RequestTime");
    expect(await refusalOf(adapterWith().receive(withoutTime))).toMatchObject({ code: "missing_signature", status: 401 });
  });

  it("refuses a Sign made with another token, or for another time, with invalid_signature 401", async () => {
    expect(await refusalOf(adapterWith().receive(request({ token: "another-token" })))).toMatchObject({ code: "invalid_signature", status: 401 });
    const shifted = request();
    shifted.query.set("RequestTime", String(fixedRequestTime + 1));
    expect(await refusalOf(adapterWith().receive(shifted))).toMatchObject({ code: "invalid_signature", status: 401 });
    const notATime = request();
    notATime.query.set("RequestTime", "yesterday");
    expect(await refusalOf(adapterWith().receive(notATime))).toMatchObject({ code: "invalid_signature", status: 401 });
  });

  it("refuses a correctly signed but stale or future request with stale_request 401", async () => {
    for (const offset of [-61, 61, -3600]) {
      const error = await refusalOf(adapterWith().receive(request({ requestTime: fixedRequestTime + offset })));
      expect(error).toMatchObject({ code: "stale_request", status: 401 });
    }
  });

  it("honours maximumClockSkewSeconds", async () => {
    const adapter = adapterWith({ maximumClockSkewSeconds: 300 });
    expect((await adapter.receive(request({ requestTime: fixedRequestTime - 299 }))).events).toHaveLength(3);
    expect(await refusalOf(adapter.receive(request({ requestTime: fixedRequestTime - 301 })))).toMatchObject({ code: "stale_request" });
  });

  it("accepts an upper-case Sign", async () => {
    const upper = request();
    upper.query.set("Sign", signTencentRequest(token, fixedRequestTime).toUpperCase());
    expect((await adapterWith().receive(upper)).events).toHaveLength(3);
  });

  it("never puts the token or the signature in a message", async () => {
    const wrong = request({ token: "another-token" });
    const error = await refusalOf(adapterWith().receive(wrong));
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(wrong.query.get("Sign"));
    expect(error.message).not.toContain(signTencentRequest(token, fixedRequestTime));
  });

  it("checks the signature before reading the body", async () => {
    const garbage = buildTencentCallback({ sdkAppId, command, body: "not json", token: "another-token", requestTime: fixedRequestTime });
    expect(await refusalOf(adapterWith().receive(garbage))).toMatchObject({ code: "invalid_signature" });
  });
});

describe("without a token", () => {
  it("accepts unsigned callbacks, and signed ones without checking Sign", async () => {
    const adapter = createTencentAdapter({ sdkAppIds: [sdkAppId], now: () => fixedNow });
    expect((await adapter.receive(buildTencentCallback({ sdkAppId, command, body }))).events).toHaveLength(3);
    const signedWithAnything = buildTencentCallback({ sdkAppId, command, body, token: "whatever", requestTime: 1 });
    expect((await adapter.receive(signedWithAnything)).events).toHaveLength(3);
  });

  it("still checks the SdkAppid", async () => {
    const adapter = createTencentAdapter({ sdkAppIds: [sdkAppId] });
    const error = await refusalOf(adapter.receive(buildTencentCallback({ sdkAppId: "1400000009", command, body })));
    expect(error.code).toBe("app_mismatch");
  });
});

describe("the command check", () => {
  it("refuses a body whose CallbackCommand differs from the URL's with command_mismatch 400", async () => {
    const request = buildTencentCallback({ sdkAppId, token, command: "Sns.CallbackBlackListAdd", body, requestTime: fixedRequestTime });
    const error = await refusalOf(adapterWith().receive(request));
    expect(error).toMatchObject({ code: "command_mismatch", status: 400 });
    expect(error.message).toContain("Sns.CallbackBlackListAdd");
  });

  it("refuses a URL or a body that names no command with invalid_payload 400", async () => {
    const noUrlCommand = buildTencentCallback({ sdkAppId, token, command, body, requestTime: fixedRequestTime });
    noUrlCommand.query.delete("CallbackCommand");
    expect(await refusalOf(adapterWith().receive(noUrlCommand))).toMatchObject({ code: "invalid_payload", status: 400 });
    const noBodyCommand = buildTencentCallback({ sdkAppId, token, command, body: { PairList: [] }, requestTime: fixedRequestTime });
    expect(await refusalOf(adapterWith().receive(noBodyCommand))).toMatchObject({ code: "invalid_payload", status: 400 });
  });
});

describe("refusals", () => {
  it("render in Tencent's format with the error's status", () => {
    const response = adapterWith().refuse(new FriendhookError("stale_request", "RequestTime lies too far from now."));
    expect(response.status).toBe(401);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({ ActionStatus: "FAIL", ErrorCode: 1, ErrorInfo: "stale_request: RequestTime lies too far from now." });
  });
});

describe("token rotation", () => {
  const signedWith = (signingToken: string) =>
    buildTencentCallback({ sdkAppId, command, body, token: signingToken, requestTime: fixedRequestTime });

  it("accepts a Sign made with any configured token, and refuses one made with none of them", async () => {
    const adapter = adapterWith({ token: ["old-console-token", "new-console-token"] });
    expect((await adapter.receive(signedWith("old-console-token"))).events).toHaveLength(3);
    expect((await adapter.receive(signedWith("new-console-token"))).events).toHaveLength(3);
    expect(await refusalOf(adapter.receive(signedWith("retired-token")))).toMatchObject({ code: "invalid_signature", status: 401 });
    expect(await refusalOf(adapter.receive(buildTencentCallback({ sdkAppId, command, body })))).toMatchObject({ code: "missing_signature" });
  });

  it("checks each token of a burst within one second, whichever signed the previous callback", async () => {
    const adapter = adapterWith({ token: ["old-console-token", "new-console-token"] });
    for (const signingToken of ["new-console-token", "old-console-token", "new-console-token", "retired-token", "old-console-token"]) {
      const outcome = await adapter.receive(signedWith(signingToken)).then(
        () => "accepted",
        (error: FriendhookError) => error.code,
      );
      expect(outcome).toBe(signingToken === "retired-token" ? "invalid_signature" : "accepted");
    }
  });

  it("refuses an empty list, and an empty or padded token in it, at construction", () => {
    expect(() => adapterWith({ token: [] })).toThrow(/at least one token/);
    expect(() => adapterWith({ token: ["new-console-token", ""] })).toThrow(/token/);
    expect(() => adapterWith({ token: ["new-console-token", "old "] })).toThrow(/whitespace/);
  });
});

describe("authenticateHead: the checks the URL alone allows, before the body is read", () => {
  const head = (overrides: { sdkAppId?: string; token?: string; requestTime?: number } = {}) => {
    const { body: _body, ...rest } = buildTencentCallback({
      sdkAppId: overrides.sdkAppId ?? sdkAppId,
      command,
      body: "",
      ...(overrides.token === undefined ? {} : { token: overrides.token }),
      requestTime: overrides.requestTime ?? fixedRequestTime,
    });
    return rest;
  };
  it("accepts the head of a correctly signed callback for a configured app", () => {
    expect(adapterWith().authenticateHead).toBeTypeOf("function");
    expect(() => adapterWith().authenticateHead?.(head({ token }))).not.toThrow();
    expect(() => adapterWith({ token: ["retired", token] }).authenticateHead?.(head({ token }))).not.toThrow();
  });

  it("refuses another app, a missing, wrong or stale signature, as receive would", () => {
    const adapter = adapterWith();
    const check = (request: ReturnType<typeof head>) => refusalThrownBy(() => adapter.authenticateHead?.(request));
    expect(check(head({ sdkAppId: "1400000001", token }))).toMatchObject({ code: "app_mismatch", status: 403 });
    expect(check(head())).toMatchObject({ code: "missing_signature", status: 401 });
    expect(check(head({ token: "another-token" }))).toMatchObject({ code: "invalid_signature", status: 401 });
    expect(check(head({ token, requestTime: fixedRequestTime - 120 }))).toMatchObject({ code: "stale_request", status: 401 });
  });

  it("checks only the SdkAppid when no token is configured", () => {
    const adapter = createTencentAdapter({ sdkAppIds: [sdkAppId] });
    expect(() => adapter.authenticateHead?.(head())).not.toThrow();
    expect(refusalThrownBy(() => adapter.authenticateHead?.(head({ sdkAppId: "1400000009" })))).toMatchObject({ code: "app_mismatch" });
  });
});
