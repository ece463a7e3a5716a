import { describe, expect, it, vi } from "vitest";
import { FriendhookError, friendhookErrorCodes, isFriendhookError, isSinkBatchError, isSinkError, SinkBatchError, SinkError, statusForErrorCode } from "../src/index";

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
    const serverSide = new Set(["provider_not_configured", "store_unavailable", "receiver_busy", "misconfigured"]);
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

describe("recognizing a FriendhookError", () => {
  it("recognizes an error made by another copy of the package, as an app that loads both builds has", async () => {
    vi.resetModules();
    const otherCopy = await import("../src/friendhook-error");
    expect(otherCopy.FriendhookError).not.toBe(FriendhookError);
    const foreign = new otherCopy.FriendhookError("invalid_signature", "The signature does not match any configured secret.");
    expect(isFriendhookError(foreign)).toBe(true);
    expect(foreign instanceof FriendhookError).toBe(true);
    expect(otherCopy.isFriendhookError(new FriendhookError("app_mismatch", "Another app."))).toBe(true);
  });

  it("recognizes nothing else, whatever its name, code or status", () => {
    const lookalike = Object.assign(new Error("x"), { name: "FriendhookError", code: "invalid_signature", status: 401 });
    for (const value of [lookalike, { code: "invalid_signature", status: 401 }, new Error("x"), null, undefined, "FriendhookError", 401]) {
      expect(isFriendhookError(value)).toBe(false);
      expect(value instanceof FriendhookError).toBe(false);
    }
  });

  it("keeps the usual instanceof rule for subclasses", () => {
    class ProviderOutage extends FriendhookError {}
    const outage = new ProviderOutage("store_unavailable", "Down.");
    expect(outage instanceof ProviderOutage).toBe(true);
    expect(outage instanceof FriendhookError).toBe(true);
    expect(new FriendhookError("store_unavailable", "Down.") instanceof ProviderOutage).toBe(false);
  });

  it("shows the mark in neither JSON nor the error's own keys", () => {
    const error = new FriendhookError("malformed_body", "Not JSON.");
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(JSON.stringify(error)).toBe('{"error":{"code":"malformed_body","message":"Not JSON."}}');
  });
});

describe("recognizing a sink's errors", () => {
  it("recognizes a SinkError and a SinkBatchError made by another copy of the package", async () => {
    vi.resetModules();
    const otherCopy = await import("../src/friend-event-sink");
    expect(otherCopy.SinkError).not.toBe(SinkError);
    const gone = new otherCopy.SinkError("410 Gone", { permanent: true });
    expect(isSinkError(gone) && gone.permanent).toBe(true);
    expect(gone instanceof SinkError).toBe(true);
    const partial = otherCopy.SinkBatchError.stoppedAt(1, 2, gone);
    expect(isSinkBatchError(partial)).toBe(true);
    expect(partial instanceof SinkBatchError).toBe(true);
    expect(isSinkError(new Error("x")) || isSinkBatchError(new Error("x"))).toBe(false);
  });
});
