import * as core from "@friendhook/core";
import { buildEasemobCallback, createEasemobAdapter } from "@friendhook/easemob";
import { buildTencentCallback, createTencentAdapter } from "@friendhook/tencent";
import { afterEach, describe, expect, it, vi } from "vitest";
import { reliabilityCredentials as credentials } from "../src/index";

// Every importer of @friendhook/core (the adapters included) gets these wrappers, which call the
// real functions unless a test makes them answer otherwise.
vi.mock("@friendhook/core", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@friendhook/core")>();
  return {
    ...actual,
    constantTimeEqual: vi.fn(actual.constantTimeEqual),
    constantTimeEqualAny: vi.fn(actual.constantTimeEqualAny),
  };
});

const constantTimeEqual = vi.mocked(core.constantTimeEqual);
const constantTimeEqualAny = vi.mocked(core.constantTimeEqualAny);

afterEach(() => {
  constantTimeEqual.mockClear();
  constantTimeEqualAny.mockClear();
});

const easemob = createEasemobAdapter({ secrets: [...credentials.easemobSecrets] });
const tencent = createTencentAdapter({ sdkAppIds: [...credentials.tencentSdkAppIds], token: credentials.tencentToken });

const easemobCallback = (secret: string) =>
  buildEasemobCallback({ secret, operation: "remove", from: "alice", to: "bob", appKey: credentials.easemobAppKeys[0] });
const tencentCallback = (token: string) =>
  buildTencentCallback({
    sdkAppId: credentials.tencentSdkAppIds[0],
    token,
    command: "Sns.CallbackBlackListAdd",
    body: { CallbackCommand: "Sns.CallbackBlackListAdd", PairList: [{ From_Account: "alice", To_Account: "bob" }] },
  });

function securityOf(request: core.ProviderRequest): string {
  return (JSON.parse(new TextDecoder().decode(request.body)) as { security: string }).security;
}

/**
 * Timing cannot be measured reliably on a shared machine, so this proves the property by
 * construction instead: the adapters hand the received signature and every expected one to core's
 * constant-time comparison, and its answer alone decides. When the comparison is made to answer
 * "equal" for a forged signature the callback is accepted, and "different" for a genuine one it is
 * refused: no other comparison (an early `===`, a length check) takes part in the decision.
 */
describe("signatures are compared by core's constant-time functions, and only by them", () => {
  it("Easemob passes the received security and every secret's expected one to constantTimeEqualAny", async () => {
    const request = easemobCallback(credentials.easemobSecrets[1]);
    await easemob.receive(request);
    expect(constantTimeEqualAny).toHaveBeenCalledTimes(1);
    const [received, expected] = constantTimeEqualAny.mock.calls[0] ?? [];
    expect(received).toBe(securityOf(request));
    expect(expected).toHaveLength(credentials.easemobSecrets.length);
    expect(expected).toContain(securityOf(request));
  });

  it("Easemob's decision is constantTimeEqualAny's answer: forced 'equal', a forgery passes; forced 'different', a genuine callback fails", async () => {
    constantTimeEqualAny.mockReturnValueOnce(true);
    await expect(easemob.receive(easemobCallback("not-the-secret"))).resolves.toMatchObject({ events: [{ type: "friend.removed" }] });
    constantTimeEqualAny.mockReturnValueOnce(false);
    await expect(easemob.receive(easemobCallback(credentials.easemobSecrets[0]))).rejects.toMatchObject({ code: "invalid_signature" });
  });

  it("Tencent passes the received Sign and every token's expected one to constantTimeEqualAny", async () => {
    const request = tencentCallback(credentials.tencentToken);
    await tencent.receive(request);
    expect(constantTimeEqualAny).toHaveBeenCalledTimes(1);
    expect(constantTimeEqualAny.mock.calls[0]).toEqual([request.query.get("Sign"), [request.query.get("Sign")]]);
  });

  it("Tencent's decision is constantTimeEqualAny's answer: forced 'equal', a forgery passes; forced 'different', a genuine callback fails", async () => {
    constantTimeEqualAny.mockReturnValueOnce(true);
    await expect(tencent.receive(tencentCallback("not-the-token"))).resolves.toMatchObject({ events: [{ type: "friend.blocked" }] });
    constantTimeEqualAny.mockReturnValueOnce(false);
    await expect(tencent.receive(tencentCallback(credentials.tencentToken))).rejects.toMatchObject({ code: "invalid_signature" });
  });
});
