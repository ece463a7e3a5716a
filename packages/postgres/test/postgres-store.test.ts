import type { FriendEvent } from "@friendhook/core";
import { deliveryOrderKey } from "@friendhook/core";
import { buildFriendEvent, buildFriendEvents, describeStoreConformance, describeWithService } from "@friendhook/testkit";
import { describe, expect, it } from "vitest";
import { createPostgresStore, type PostgresFriendEventStore } from "../src/index";
import { connectionString, databaseHost, databasePort, uniqueSchemaName, useTestSchemas } from "./support/postgres-test-database";

describeWithService(
  "PostgreSQL",
  databasePort,
  () => {
    const { pool, newSchema } = useTestSchemas();
    const schemaOfStore = new WeakMap<PostgresFriendEventStore, string>();

    const openStore = (requested?: string): PostgresFriendEventStore => {
      const schema = newSchema(requested);
      const store = createPostgresStore({ connectionString, schema });
      schemaOfStore.set(store, schema);
      return store;
    };

    describeStoreConformance("postgres", {
      createStore: () => openStore(),
      reopenStore: (store) => openStore(schemaOfStore.get(store)),
    });

    describe("postgres store shared by several processes", () => {
      const sink = "primary";
      const now = Date.UTC(2024, 0, 1);

      it("stores each event once when two instances append the same events at once", async () => {
        const schema = uniqueSchemaName();
        const first = openStore(schema);
        const second = openStore(schema);
        await first.migrate();
        const events = buildFriendEvents(40);
        const results = await Promise.all(
          events.flatMap((event, index) => [
            first.append({ events: [event], sinks: [sink] }),
            second.append({ events: [events[events.length - 1 - index] as FriendEvent], sinks: [sink] }),
          ]),
        );
        expect(results.reduce((total, result) => total + result.inserted, 0)).toBe(40);
        expect((await second.listEvents({ limit: 1000 })).events.map((event) => event.id).sort()).toEqual(
          events.map((event) => event.id).sort(),
        );
        expect(await first.countDeliveries()).toEqual([{ sink, pending: 40, deadLettered: 0 }]);
        await Promise.all([first.close(), second.close()]);
      });

      it("never gives one delivery to two instances, nor lets a pair's deliveries overtake each other", async () => {
        const schema = uniqueSchemaName();
        const stores = [openStore(schema), openStore(schema), openStore(schema)];
        await stores[0]?.migrate();
        // Four pairs, twelve events each, interleaved.
        const pairs = [
          ["ann", "bob"],
          ["cyd", "dan"],
          ["eve", "fay"],
          ["gus", "hal"],
        ] as const;
        const events = Array.from({ length: 48 }, (_, index) => {
          const [actor, target] = pairs[index % pairs.length] as readonly [string, string];
          return buildFriendEvent({ id: `evt_order_${String(index).padStart(3, "0")}`, actor, target }, index);
        });
        await stores[0]?.append({ events, sinks: [sink] });

        const completed = new Set<string>();
        const storedOrder = events.map((event) => event.id);
        for (let round = 0; round < 60 && completed.size < events.length; round += 1) {
          const claims = await Promise.all(stores.map((store) => store.claimDeliveries({ sink, limit: 4, leaseMs: 60_000, now })));
          const claimedIds = claims.flat().map((delivery) => delivery.deliveryId);
          expect(new Set(claimedIds).size).toBe(claimedIds.length);
          const keysByClaim = claims.map((claim) => new Set(claim.map((delivery) => deliveryOrderKey(delivery.event))));
          for (const [index, keys] of keysByClaim.entries()) {
            for (const key of keys) {
              // A pair's deliveries are in at most one of the simultaneous claims…
              expect(keysByClaim.filter((other, otherIndex) => otherIndex !== index && other.has(key))).toEqual([]);
            }
          }
          for (const delivery of claims.flat()) {
            // …and every earlier event of the pair was delivered before, or is in the same claim.
            const position = storedOrder.indexOf(delivery.event.id);
            const claim = claims.find((candidate) => candidate.includes(delivery)) ?? [];
            const sameClaim = new Set(claim.map((each) => each.event.id));
            for (const earlier of events.slice(0, position)) {
              if (deliveryOrderKey(earlier) !== deliveryOrderKey(delivery.event)) continue;
              expect(completed.has(earlier.id) || sameClaim.has(earlier.id), `${earlier.id} before ${delivery.event.id}`).toBe(true);
            }
          }
          for (const [index, claim] of claims.entries()) {
            await stores[index]?.completeDeliveries({ deliveryIds: claim.map((delivery) => delivery.deliveryId) });
            for (const delivery of claim) completed.add(delivery.event.id);
          }
        }
        expect(completed.size).toBe(events.length);
        await Promise.all(stores.map((store) => store.close()));
      });

      it("shares dead letters: one instance dead-letters, another lists and replays", async () => {
        const schema = uniqueSchemaName();
        const first = openStore(schema);
        const second = openStore(schema);
        const events = buildFriendEvents(2);
        await first.append({ events, sinks: [sink] });
        const claimed = await first.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now });
        await first.failDeliveries({
          failures: claimed.map((delivery) => ({ deliveryId: delivery.deliveryId, error: "410 Gone", deadLetter: true as const })),
          now,
        });
        expect((await second.listDeadLetters()).deadLetters.map((letter) => letter.event.id)).toEqual(events.map((event) => event.id));
        expect(await second.replayDeadLetters({ sink, now: now + 1 })).toBe(2);
        expect((await first.claimDeliveries({ sink, limit: 10, leaseMs: 1000, now: now + 1 })).map((delivery) => delivery.event.id)).toEqual(
          events.map((event) => event.id),
        );
        await Promise.all([first.close(), second.close()]);
      });

      it("binds a signature key once across instances: of appends made at once with two fingerprints, exactly one wins", async () => {
        const schema = uniqueSchemaName();
        const [first, second] = [openStore(schema), openStore(schema)];
        await first.migrate();
        const expiresAt = Date.now() + 3_600_000;
        const filler = buildFriendEvents(40, 1000);
        for (let round = 0; round < 20; round += 1) {
          const [mine, theirs] = ["first", "second"].map((name) =>
            buildFriendEvent({ id: `evt_race_${round}_${name}`, actor: `${name}-${round}`, target: "victim" } as Partial<FriendEvent>),
          );
          const settled = await Promise.allSettled([
            // Other appends beside them, so that each instance writes a batch of several.
            first.append({ events: filler.slice(round, round + 1), sinks: [sink] }),
            first.append({ events: [mine as FriendEvent], binding: { key: `race-${round}`, fingerprint: "first", expiresAt }, sinks: [sink] }),
            second.append({ events: [theirs as FriendEvent], binding: { key: `race-${round}`, fingerprint: "second", expiresAt }, sinks: [sink] }),
            second.append({ events: filler.slice(round + 20, round + 21), sinks: [sink] }),
          ]);
          const [, firstResult, secondResult] = settled;
          expect([firstResult?.status, secondResult?.status].sort(), `round ${round}`).toEqual(["fulfilled", "rejected"]);
          const refused = [firstResult, secondResult].find((result) => result?.status === "rejected") as PromiseRejectedResult;
          expect(refused.reason).toMatchObject({ code: "signature_reused", status: 401 });
        }
        const stored = (await second.listEvents({ limit: 1000 })).events.map((event) => event.id);
        expect(stored.filter((id) => id.startsWith("evt_race_"))).toHaveLength(20);
        expect(stored).toHaveLength(60);
        await Promise.all([first.close(), second.close()]);
      });

      it("waits for appends under way before it closes", async () => {
        const store = openStore();
        const appending = store.append({ events: buildFriendEvents(5), sinks: [sink] });
        await store.close();
        expect((await appending).inserted).toBe(5);
        const closed = { name: "FriendhookError", code: "store_unavailable", status: 503, message: "The PostgreSQL store is closed." };
        await expect(store.listEvents()).rejects.toMatchObject(closed);
        await expect(store.append({ events: buildFriendEvents(1, 9), sinks: [sink] })).rejects.toMatchObject(closed);
      });

      it("gives a reader paging by sequence every event while two instances append at once", async () => {
        const schema = uniqueSchemaName();
        const [first, second, reader] = [openStore(schema), openStore(schema), openStore(schema)];
        await reader.migrate();
        const events = buildFriendEvents(200);
        const seen: string[] = [];
        let cursor: string | undefined;
        const readPage = async () => {
          const page = await reader.listEvents({ after: cursor, limit: 1000 });
          seen.push(...page.events.map((event) => event.id));
          cursor = page.next ?? cursor;
        };
        let appending = true;
        const appended = Promise.all(
          events.map((event, index) => (index % 2 === 0 ? first : second).append({ events: [event], sinks: [sink] })),
        ).finally(() => {
          appending = false;
        });
        while (appending) await readPage();
        await appended;
        await readPage();
        // Paging by sequence skipped nothing that committed late, and saw nothing twice.
        expect(seen).toEqual((await reader.listEvents({ limit: 1000 })).events.map((event) => event.id));
        expect([...seen].sort()).toEqual(events.map((event) => event.id).sort());
        await Promise.all([first.close(), second.close(), reader.close()]);
      });
    });

    describe("postgres store group commit", () => {
      const sink = "primary";
      it("commits appends made at once in fewer transactions, each event once, in the order submitted", async () => {
        const schema = uniqueSchemaName();
        const store = openStore(schema);
        await store.migrate();
        const events = buildFriendEvents(300);
        const appending = Promise.all(events.map((event) => store.append({ events: [event], sinks: [sink] })));
        // Closing waits for the queued appends; more than one transaction holds (256 at most).
        await store.close();
        const results = await appending;
        expect(results.every((result) => result.inserted === 1 && result.duplicates === 0)).toBe(true);
        const { appends, appendTransactions } = store.statistics();
        expect(appends).toBe(300);
        expect(appendTransactions).toBeGreaterThanOrEqual(2);
        expect(appendTransactions).toBeLessThan(300);
        const reopened = openStore(schema);
        expect((await reopened.listEvents({ limit: 1000 })).events.map((event) => event.id)).toEqual(events.map((event) => event.id));
        expect(await reopened.countDeliveries()).toEqual([{ sink, pending: 300, deadLettered: 0 }]);
        await reopened.close();
      });

      it("writes a large callback in a transaction of its own, so that small ones beside it need not wait for all of it", async () => {
        const store = openStore();
        await store.migrate();
        // Three appends of 600 events: two would pass the 1,000 events a transaction holds.
        const events = buildFriendEvents(1800);
        const batches = [events.slice(0, 600), events.slice(600, 1200), events.slice(1200)];
        const results = await Promise.all(batches.map((batch) => store.append({ events: batch, sinks: [] })));
        expect(results.map((result) => result.inserted)).toEqual([600, 600, 600]);
        expect(store.statistics()).toEqual({ appends: 3, appendTransactions: 3 });
        await store.close();
      });

      it("counts an event appended twice in one batch as a duplicate the second time", async () => {
        const store = openStore();
        await store.migrate();
        const [event] = buildFriendEvents(1);
        const input = { events: [event as FriendEvent], sinks: [sink] };
        const results = await Promise.all([store.append(input), store.append(input)]);
        expect(results.map((result) => [result.inserted, result.duplicates])).toEqual([
          [1, 0],
          [0, 1],
        ]);
        expect(store.statistics()).toEqual({ appends: 2, appendTransactions: 1 });
        expect((await store.listEvents()).events).toEqual([event]);
        expect(await store.countDeliveries()).toEqual([{ sink, pending: 1, deadLettered: 0 }]);
        await store.close();
      });

      it("rolls back an append that fails in a batch alone, and commits the others", async () => {
        const store = openStore();
        await store.migrate();
        const [kept, undone, alsoKept, refused] = buildFriendEvents(4);
        // PostgreSQL cannot represent February 30 (JavaScript's Date rolls it over into March).
        const refusedEvent = { ...refused, occurredAt: "2024-02-30T00:00:00.000Z" } as FriendEvent;
        // Alone, PostgreSQL refuses it as data: the input's fault, which no retry can store.
        await expect(store.append({ events: [refusedEvent], sinks: [sink] })).rejects.toMatchObject({
          code: "invalid_payload",
          status: 400,
          message: expect.stringMatching(/out of range/),
        });
        const callback = {
          id: "cb_00000000000000000000000000000000",
          provider: "testkit",
          appId: "demo#app",
          command: "testkit:add",
          receivedAt: "2024-01-01T00:00:00.000Z",
          body: "{}",
        };
        const settled = await Promise.allSettled([
          store.append({ events: [kept as FriendEvent], sinks: [sink] }),
          // Its callback is written before its events fail, and rolled back with them.
          store.append({ events: [undone as FriendEvent, refusedEvent], sinks: [sink], callback }),
          store.append({ events: [alsoKept as FriendEvent], sinks: [sink] }),
          store.append({ events: [refusedEvent], sinks: [sink] }),
        ]);
        expect(settled.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected"]);
        expect(store.statistics()).toEqual({ appends: 5, appendTransactions: 2 });
        expect((await store.listEvents()).events).toEqual([kept, alsoKept]);
        expect(await store.countDeliveries()).toEqual([{ sink, pending: 2, deadLettered: 0 }]);
        expect(await store.readCallback({ callbackId: callback.id })).toBeUndefined();
        // `kept` made user-0 and user-1 friends; `undone`, user-1 blocking user-2, was rolled back.
        expect(undone).toMatchObject({ type: "friend.blocked", actor: "user-1", target: "user-2" });
        expect(await store.friendsOf({ provider: "testkit", appId: "demo#app", userId: "user-1" })).toEqual({ friends: ["user-0"], blocked: [] });
        await store.close();
      });
    });
  },
  { host: databaseHost },
);
