import {
  FriendEventSchema,
  FriendhookError,
  type FriendhookErrorCode,
  type ProviderAdapterV1,
  type ProviderRequest,
  type ProviderRequestHead,
} from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { hostileBodies } from "./hostile-bodies";

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

async function refusal(promise: Promise<unknown>): Promise<FriendhookError> {
  try {
    await promise;
  } catch (error) {
    return error as FriendhookError;
  }
  throw new Error("the adapter accepted a callback it had to refuse");
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
        const error = await refusal(options.createAdapter().receive(callback.request()));
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
        const fromReceive = await refusal(adapter.receive(request));
        expect((fromHead as FriendhookError).code).toBe(fromReceive.code);
      });
    }

    const { tooManyEvents } = options;
    if (tooManyEvents) {
      it("refuses a callback over maximumEventsPerCallback with too_many_events 413, in the provider's format", async () => {
        const adapter = tooManyEvents.createAdapter();
        const error = await refusal(adapter.receive(tooManyEvents.request()));
        expect(error).toBeInstanceOf(FriendhookError);
        expect([error.code, error.status]).toEqual(["too_many_events", 413]);
        expect(adapter.refuse(error).status).toBe(413);
      });
    }

    for (const hostile of hostileBodies) {
      it(`refuses a hostile body (${hostile.name}) with a clear 4xx error`, async () => {
        const before = Object.keys(Object.prototype);
        const error = await refusal(options.createAdapter().receive(options.requestWithBody(hostile.body)));
        expect(error).toBeInstanceOf(FriendhookError);
        expect(error.status).toBeGreaterThanOrEqual(400);
        expect(error.status).toBeLessThan(500);
        expect(error.message.length).toBeGreaterThan(10);
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
