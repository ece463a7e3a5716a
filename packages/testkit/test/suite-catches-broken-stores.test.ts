import { describe, expect, it } from "vitest";
import { runFixtures } from "./run-fixtures";

describe("the store conformance suite", () => {
  it("fails stores that break the contract, where they break it", async () => {
    const statuses = await runFixtures("test/fixtures/store-fixtures.vitest.config.ts");
    const status = (name: string) => statuses.get(name) ?? `missing: ${name}`;

    const leases = "forgets leases: store conformance claimDeliveries";
    expect(status(`${leases} hands out a delivery again once its lease ran out, and ignores outcomes for deliveries no longer pending`)).toBe("failed");
    expect(status(`${leases} never hands out an event while an earlier one of its pair is leased or waiting for a retry`)).toBe("failed");
    const unrecognized = "store conformance callbacks stores each unrecognized callback once and lists them, and only them, in stored order";
    const backfills = "store conformance backfills delivers what was stored before a sink existed, from the earliest retained event, in batches, once per name";
    expect(status(`claims in the order deliveries were enqueued: ${backfills}`)).toBe("failed");
    expect(status(`claims in the order deliveries were enqueued: ${unrecognized}`)).toBe("passed");
    expect(status(`forgets backfills it began: ${backfills}`)).toBe("failed");
    expect(status(`forgets backfills it began: ${unrecognized}`)).toBe("passed");
    expect(status(`forgets leases: ${unrecognized}`)).toBe("passed");

    expect(status(`drops unrecognized callbacks: ${unrecognized}`)).toBe("failed");
    expect(status("drops unrecognized callbacks: store conformance append stores events once per id and reports inserted and duplicate counts")).toBe("passed");

    const bindings = "ignores signature bindings: store conformance signature bindings";
    expect(status(`${bindings} refuses a second fingerprint for a bound key with signature_reused, and stores nothing of that append`)).toBe("failed");
    expect(status(`${bindings} lets exactly one of appends made at once with one key and two fingerprints win`)).toBe("failed");
    expect(status("ignores signature bindings: store conformance callbacks stores each callback once, links the events it stored to it, and reads it by its id or by an event's")).toBe("passed");

    const links = "links events to the latest callback: store conformance callbacks";
    expect(status(`${links} stores each callback once, links the events it stored to it, and reads it by its id or by an event's`)).toBe("failed");
    expect(status(`${links} ${unrecognized.replace("store conformance callbacks ", "")}`)).toBe("passed");

    const text = "stores text PostgreSQL cannot: store conformance text no store can keep";
    expect(status(`${text} refuses a NUL or an unpaired surrogate anywhere with invalid_payload, stores nothing of it, and stores the appends beside it`)).toBe("failed");
    expect(status("stores text PostgreSQL cannot: store conformance signature bindings lets a binding go once it expired, and binds the key to the next fingerprint")).toBe("passed");

    const arrival = "applies relationship events in arrival order: store conformance friend table";
    expect(status(`${arrival} keeps a removal that arrived before an addition clearly older than it (a tombstone)`)).toBe("failed");
    expect(status(`${arrival} holds the rule's table for the stored order, whatever the arrival order and however many duplicates`)).toBe("failed");
    expect(status(`${arrival} orders changes its times cannot tell apart by arrival`)).toBe("passed");
    expect(status(`${arrival} applies relationship events and nothing else`)).toBe("passed");

    const time = "orders by provider time alone: store conformance friend table";
    expect(status(`${time} orders changes its times cannot tell apart by arrival`)).toBe("failed");
    expect(status(`${time} holds the rule's table for the stored order, whatever the arrival order and however many duplicates`)).toBe("failed");
    expect(status(`${time} keeps a removal that arrived before an addition clearly older than it (a tombstone)`)).toBe("passed");

    const decisions = "store conformance decisions";
    const filtered = "lists only the decisions of one provider, app or user (as actor or target)";
    const once = "records each decision once, with every field, and lists them in recorded order a page at a time";
    expect(status(`matches a decision's user as actor only: ${decisions} ${filtered}`)).toBe("failed");
    expect(status(`matches a decision's user as actor only: ${decisions} ${once}`)).toBe("passed");
    expect(status(`records a decision again under its id: ${decisions} ${once}`)).toBe("failed");
    expect(status(`records a decision again under its id: ${decisions} ${filtered}`)).toBe("failed");
  }, 180_000);
});
