import {
  earliestTimestampMilliseconds,
  FriendEventSchema,
  FriendhookError,
  type FriendhookErrorCode,
  latestTimestampMilliseconds,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ProviderRequestHead,
  type ReceivedCallback,
} from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { hostileBodies } from "./hostile-bodies";
import { refusalOf } from "./refusals";

export interface ConformanceCallback {
  readonly name: string;
  /** Builds the request anew for each use, so that signatures and times are current. */
  readonly request: () => ProviderRequest;
}

export interface RefusedCallback extends ConformanceCallback {
  /** The code the adapter must refuse it with; any 401 or 403 code when absent. */
  readonly code?: FriendhookErrorCode;
}

export interface AdapterConformanceOptions {
  /** Builds a fresh adapter, configured with the secrets the callbacks below are signed with. */
  readonly createAdapter: () => ProviderAdapterV1;
  /** Correctly signed callbacks that must yield at least one event each. */
  readonly signedCallbacks: readonly ConformanceCallback[];
  /** Tampered, unsigned, wrongly signed or foreign callbacks: each must be refused. */
  readonly refusedCallbacks: readonly RefusedCallback[];
  /**
   * Correctly signed callbacks the adapter does not map to events (an operation it does not know,
   * another callback family on the same URL): each must be acknowledged with a 2xx answer, no
   * events, and an `unrecognized` reason, so that the provider neither retries nor suspends the
   * rule and the receiver keeps it. Every adapter should pass one.
   */
  readonly unrecognizedCallbacks?: readonly ConformanceCallback[];
  /**
   * For providers whose callbacks carry the time of the change: builds a correctly signed callback
   * that makes events, with that time set to `epochMilliseconds` (in the provider's own field and
   * unit, rounded down to it). The suite sends times an event cannot hold (past year 9999, before
   * year 0, the limits of a JavaScript `Date`): each must be refused with a 4xx `FriendhookError`,
   * or replaced by a time an event can hold (the receive time, say). A time an hour ago must be
   * carried as `occurredAt`.
   */
  readonly callbackAt?: (epochMilliseconds: number) => ProviderRequest;
  /**
   * Wraps any body bytes in an otherwise valid request (query, headers, signature where the
   * signature does not cover the body), to feed hostile bodies through the adapter.
   */
  readonly requestWithBody: (body: Uint8Array) => ProviderRequest;
  /** Acknowledgements must be shorter than this (Easemob rejects 1,000 characters or more). */
  readonly maximumAcknowledgementLength?: number;
  /**
   * A correctly signed callback that makes more events than `createAdapter` allows (an adapter
   * configured with a small `maximumEventsPerCallback`): it must be refused with `too_many_events`
   * (413). Every adapter should pass one.
   */
  readonly tooManyEvents?: {
    readonly createAdapter: () => ProviderAdapterV1;
    readonly request: () => ProviderRequest;
  };
}

const headOf = (request: ProviderRequest): ProviderRequestHead => {
  const { body: _body, ...head } = request;
  return head;
};

/** What `authenticateHead` threw, or undefined when it let the head through. */
function headRefusal(adapter: ProviderAdapterV1, request: ProviderRequest): unknown {
  try {
    adapter.authenticateHead?.(headOf(request));
    return undefined;
  } catch (error) {
    return error;
  }
}

const later = (request: ProviderRequest, milliseconds: number): ProviderRequest => ({
  ...request,
  receivedAt: new Date(request.receivedAt.getTime() + milliseconds),
});

/** Provider times no event can hold, by name. */
const outOfRangeTimes: ReadonlyArray<readonly [string, number]> = [
  ["the first millisecond of year 10000", latestTimestampMilliseconds + 1],
  ["the latest instant a JavaScript Date holds", 8_640_000_000_000_000],
  ["the last millisecond before year 0", earliestTimestampMilliseconds - 1],
  ["the earliest instant a JavaScript Date holds", -8_640_000_000_000_000],
];

function isJsonObject(body: Uint8Array): boolean {
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Checks an acknowledged callback the adapter did not map: no events, a reason, a short 2xx answer. */
function expectAcknowledgedUnrecognized(adapter: ProviderAdapterV1, received: ReceivedCallback, maximumLength: number): void {
  expect(received.provider).toBe(adapter.provider);
  expect(received.events).toEqual([]);
  expect(received.unrecognized?.command.length ?? 0).toBeGreaterThan(0);
  expect(received.unrecognized?.reason.length ?? 0).toBeGreaterThan(0);
  expect(received.acknowledgement.status).toBeGreaterThanOrEqual(200);
  expect(received.acknowledgement.status).toBeLessThan(300);
  expect(received.acknowledgement.body.length).toBeLessThan(maximumLength);
}

/** What `receive` made of a request: its result, or the error it threw. */
async function outcomeOf(adapter: ProviderAdapterV1, request: ProviderRequest): Promise<{ received?: ReceivedCallback; error?: unknown }> {
  try {
    return { received: await adapter.receive(request) };
  } catch (error) {
    return { error };
  }
}

function expectClearRefusal(adapter: ProviderAdapterV1, error: unknown): void {
  expect(error).toBeInstanceOf(FriendhookError);
  const refused = error as FriendhookError;
  expect(refused.status).toBeGreaterThanOrEqual(400);
  expect(refused.status).toBeLessThan(500);
  expect(refused.message.length).toBeGreaterThan(10);
  expect(adapter.refuse(refused).status).toBe(refused.status);
}

/**
 * The conformance suite every provider adapter calls once from its own test file. It checks the
 * promises of the adapter contract: authentication before events, valid unified events,
 * deterministic ids, clear 4xx refusals for anything malformed, and provider-format answers.
 */
export function describeAdapterConformance(name: string, options: AdapterConformanceOptions): void {
  const maximumLength = options.maximumAcknowledgementLength ?? 1000;

  describe(`${name}: adapter conformance`, () => {
    it("declares the v1 contract and a provider name", () => {
      const adapter = options.createAdapter();
      expect(adapter.specificationVersion).toBe("v1");
      expect(adapter.provider).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
    });

    it("has signed and refused callbacks to check", () => {
      expect(options.signedCallbacks.length).toBeGreaterThan(0);
      expect(options.refusedCallbacks.length).toBeGreaterThan(0);
    });

    for (const callback of options.signedCallbacks) {
      describe(`signed callback: ${callback.name}`, () => {
        it("verifies and normalizes into valid unified events", async () => {
          const adapter = options.createAdapter();
          const request = callback.request();
          const received = await adapter.receive(request);
          expect(received.provider).toBe(adapter.provider);
          expect(received.events.length).toBeGreaterThan(0);
          for (const event of received.events) {
            expect(FriendEventSchema.parse(event)).toEqual(event);
            expect(event.provider).toBe(adapter.provider);
            expect(event.appId).toBe(received.appId);
            expect(event.receivedAt).toBe(request.receivedAt.toISOString());
          }
          const ids = received.events.map((event) => event.id);
          expect(new Set(ids).size).toBe(ids.length);
        });

        it("acknowledges with a short 2xx answer", async () => {
          const received = await options.createAdapter().receive(callback.request());
          expect(received.acknowledgement.status).toBeGreaterThanOrEqual(200);
          expect(received.acknowledgement.status).toBeLessThan(300);
          expect(received.acknowledgement.body.length).toBeLessThan(maximumLength);
        });

        it("yields the same ids when the callback is retried", async () => {
          const adapter = options.createAdapter();
          const request = callback.request();
          const first = await adapter.receive(request);
          const retried = await options.createAdapter().receive(later(request, 5_000));
          expect(retried.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
        });
      });
    }

    for (const callback of options.refusedCallbacks) {
      it(`refuses ${callback.name}`, async () => {
        const error = await refusalOf(options.createAdapter().receive(callback.request()));
        expect(error).toBeInstanceOf(FriendhookError);
        if (callback.code) expect(error.code).toBe(callback.code);
        expect([401, 403]).toContain(error.status);
      });
    }

    it("lets the head of every signed callback through authenticateHead, when it has one", () => {
      const adapter = options.createAdapter();
      for (const callback of options.signedCallbacks) expect(headRefusal(adapter, callback.request())).toBeUndefined();
    });

    for (const callback of options.refusedCallbacks) {
      it(`refuses ${callback.name} in authenticateHead, if there, with the code receive gives`, async () => {
        const adapter = options.createAdapter();
        const request = callback.request();
        const fromHead = headRefusal(adapter, request);
        if (fromHead === undefined) return;
        expect(fromHead).toBeInstanceOf(FriendhookError);
        const fromReceive = await refusalOf(adapter.receive(request));
        expect((fromHead as FriendhookError).code).toBe(fromReceive.code);
      });
    }

    const { tooManyEvents } = options;
    if (tooManyEvents) {
      it("refuses a callback over maximumEventsPerCallback with too_many_events 413, in the provider's format", async () => {
        const adapter = tooManyEvents.createAdapter();
        const error = await refusalOf(adapter.receive(tooManyEvents.request()));
        expect(error).toBeInstanceOf(FriendhookError);
        expect([error.code, error.status]).toEqual(["too_many_events", 413]);
        expect(adapter.refuse(error).status).toBe(413);
      });
    }

    for (const callback of options.unrecognizedCallbacks ?? []) {
      it(`acknowledges ${callback.name} without events, as unrecognized`, async () => {
        const adapter = options.createAdapter();
        const request = callback.request();
        expect(headRefusal(adapter, request)).toBeUndefined();
        expectAcknowledgedUnrecognized(adapter, await adapter.receive(request), maximumLength);
      });
    }

    const { callbackAt } = options;
    if (callbackAt) {
      it("carries a provider time of an hour ago as occurredAt", async () => {
        const hourAgo = Date.now() - 3_600_000;
        const received = await options.createAdapter().receive(callbackAt(hourAgo));
        expect(received.events.length).toBeGreaterThan(0);
        for (const event of received.events) {
          expect(event.occurredAtSource).not.toBe("received");
          // Rounded down to the provider's unit: at most a second early for a time in seconds.
          expect(hourAgo - Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(0);
          expect(hourAgo - Date.parse(event.occurredAt)).toBeLessThan(1_000);
        }
      });

      for (const [timeName, epochMilliseconds] of outOfRangeTimes) {
        it(`refuses or replaces a provider time no event can hold: ${timeName}`, async () => {
          const adapter = options.createAdapter();
          const { received, error } = await outcomeOf(adapter, callbackAt(epochMilliseconds));
          if (error !== undefined) return expectClearRefusal(adapter, error);
          expect(received?.events.length ?? 0).toBeGreaterThan(0);
          for (const event of received?.events ?? []) {
            expect(FriendEventSchema.safeParse(event).success).toBe(true);
            expect(Date.parse(event.occurredAt)).not.toBe(epochMilliseconds);
          }
        });
      }
    }

    for (const hostile of hostileBodies) {
      // A body that is a JSON object may be another callback family of the provider's: an adapter
      // may acknowledge it as unrecognized (never with an event); anything else must be refused.
      const mayBeAcknowledged = isJsonObject(hostile.body);
      it(`handles a hostile body (${hostile.name}): a clear 4xx refusal, or an unrecognized acknowledgement of a JSON object`, async () => {
        const before = Object.keys(Object.prototype);
        const adapter = options.createAdapter();
        const { received, error } = await outcomeOf(adapter, options.requestWithBody(hostile.body));
        if (received !== undefined && mayBeAcknowledged) {
          expectAcknowledgedUnrecognized(adapter, received, maximumLength);
        } else {
          expect(received).toBeUndefined();
          expectClearRefusal(adapter, error);
        }
        expect(Object.keys(Object.prototype)).toEqual(before);
      });
    }

    it("renders refusals in the provider's format with the error's status", () => {
      const adapter = options.createAdapter();
      for (const error of [
        new FriendhookError("invalid_signature", "The signature does not match."),
        new FriendhookError("malformed_body", "The request body is not valid JSON."),
        new FriendhookError("store_unavailable", "The store could not persist the events."),
      ]) {
        const response = adapter.refuse(error);
        expect(response.status).toBe(error.status);
        expect(response.body.length).toBeLessThan(maximumLength);
      }
    });
  });
}
