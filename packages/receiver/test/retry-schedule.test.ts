import { type Delivery, SinkError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { planDeliveryFailure, requestedRetryDelayMs, retryDelayMs } from "../src/index";
import { relationEvent } from "./support";

const schedule = { maximumAttempts: 5, initialBackoffMs: 1000, maximumBackoffMs: 60_000 };
const delivery = (attempts: number): Delivery => ({ deliveryId: "7", sink: "memory", event: relationEvent("friend.added", "alice", "bob", 1, "x"), sequence: 3, attempts });

describe("the retry schedule", () => {
  it("doubles the wait with each failure, within ±20 % jitter, up to the maximum", () => {
    expect([1, 2, 3, 4].map((failures) => retryDelayMs(failures, schedule, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(3, schedule, () => 0)).toBe(3200);
    expect(retryDelayMs(3, schedule, () => 0.999999)).toBe(4800);
    expect(retryDelayMs(30, schedule, () => 0.999999)).toBe(60_000);
  });

  it("retries after the backoff, or after exactly the sink's retryAfterMs", () => {
    expect(planDeliveryFailure(delivery(0), new Error("boom"), schedule, 10_000, () => 0.5)).toEqual({ deliveryId: "7", error: "Error: boom", retryAt: 11_000 });
    expect(planDeliveryFailure(delivery(2), new SinkError("slow down", { retryAfterMs: 30_000 }), schedule, 10_000)).toEqual({
      deliveryId: "7",
      error: "SinkError: slow down",
      retryAt: 40_000,
    });
  });

  it("dead-letters on a permanent failure, or on the last allowed attempt", () => {
    expect(planDeliveryFailure(delivery(0), new SinkError("410 Gone", { permanent: true }), schedule, 0)).toEqual({ deliveryId: "7", error: "SinkError: 410 Gone", deadLetter: true });
    expect(planDeliveryFailure(delivery(4), "a string thrown\nover two lines", schedule, 0)).toEqual({ deliveryId: "7", error: "a string thrown over two lines", deadLetter: true });
    expect(planDeliveryFailure(delivery(3), new Error("x"), schedule, 0)).toHaveProperty("retryAt");
  });

  it("caps the wait a sink asks for at the maximum backoff, and ignores a wait that is no number of milliseconds", () => {
    const asking = (retryAfterMs: number) => new SinkError("503", { retryAfterMs });
    expect(requestedRetryDelayMs(asking(30_000), schedule)).toBe(30_000);
    expect(requestedRetryDelayMs(asking(0), schedule)).toBe(0);
    for (const huge of [Number.POSITIVE_INFINITY, 1e308, Number.MAX_SAFE_INTEGER, Number(`9${"9".repeat(399)}`)]) {
      expect(requestedRetryDelayMs(asking(huge), schedule)).toBe(60_000);
      expect(planDeliveryFailure(delivery(0), asking(huge), schedule, 10_000)).toMatchObject({ retryAt: 70_000 });
    }
    for (const unusable of [-1, Number.NEGATIVE_INFINITY, Number.NaN]) {
      expect(requestedRetryDelayMs(asking(unusable), schedule)).toBeUndefined();
      expect(planDeliveryFailure(delivery(0), asking(unusable), schedule, 10_000, () => 0.5)).toMatchObject({ retryAt: 11_000 });
    }
    expect(requestedRetryDelayMs(new Error("not a SinkError"), schedule)).toBeUndefined();
  });
});
