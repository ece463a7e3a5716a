import { describe, expect, it } from "vitest";
import { FriendhookError, friendhookErrorCodes, isFriendhookError, statusForErrorCode } from "../src/index";

describe("FriendhookError", () => {
  it("carries a stable code and the status that goes with it", () => {
    const error = new FriendhookError("invalid_signature", "The signature does not match any configured secret.", { provider: "easemob" });
    expect(error.code).toBe("invalid_signature");
    expect(error.status).toBe(401);
    expect(error.provider).toBe("easemob");
    expect(isFriendhookError(error)).toBe(true);
    expect(isFriendhookError(new Error("x"))).toBe(false);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      error: { code: "invalid_signature", message: "The signature does not match any configured secret." },
    });
  });

  it("maps input problems to 4xx and only receiver-side failures to 5xx", () => {
    const serverSide = new Set(["provider_not_configured", "store_unavailable", "misconfigured"]);
    for (const code of friendhookErrorCodes) {
      const status = statusForErrorCode(code);
      if (serverSide.has(code)) expect(status).toBeGreaterThanOrEqual(500);
      else expect(status >= 400 && status < 500, `${code} → ${status}`).toBe(true);
    }
    expect(statusForErrorCode("body_too_large")).toBe(413);
    expect(statusForErrorCode("unsupported_media_type")).toBe(415);
    expect(statusForErrorCode("app_mismatch")).toBe(403);
  });
});
