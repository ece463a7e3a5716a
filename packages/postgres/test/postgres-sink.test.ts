import { createMemoryStore, type FriendEvent, type FriendEventStore, FriendhookError, type ProviderAdapterV1, SinkError } from "@friendhook/core";
import { buildFriendEvents, describeSinkConformance, describeWithService, unusedLocalPort } from "@friendhook/testkit";
import { createReceiver } from "@friendhook/receiver";
import { describe, expect, it } from "vitest";
import { createPostgresSink, migrations, type PostgresSink } from "../src/index";
import { connectionString, createTestPool, databaseHost, databasePort, dropSchema, uniqueSchemaName, useTestSchemas } from "./support/postgres-test-database";

/** For receivers that only deliver what a test stored itself. */
const noCallbacks: ProviderAdapterV1 = {
  specificationVersion: "v1",
  provider: "none",
  receive: async () => {
    throw new FriendhookError("unsupported_command", "This receiver takes no callbacks.");
  },
  refuse: (error) => ({ status: error.status, headers: {}, body: "" }),
};

describe("createPostgresSink options", () => {
  it("refuses a mistyped option at construction", () => {
    expect(() => createPostgresSink({ connectionString, tablePrefx: "x_" } as never)).toThrow(FriendhookError);
    expect(() => createPostgresSink({ connectionString, schema: "Robert'); DROP TABLE" })).toThrow(/schema/);
  });

  it("needs exactly one of connectionString and pool", () => {
    expect(() => createPostgresSink({})).toThrow(/exactly one of connectionString and pool/);
    expect(() => createPostgresSink({ connectionString, pool: createTestPool() })).toThrow(/exactly one/);
  });

  it("never repeats a connection string in its error message", () => {
    const secretUrl = "postgres://app:hunter2-secret@127.0.0.1:5432/test";
    expect(() => createPostgresSink({ connectionString: secretUrl, maxConnections: 0 })).toThrow(FriendhookError);
    try {
      createPostgresSink({ connectionString: secretUrl, maxConnections: 0 });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain("hunter2");
    }
  });
});

describeWithService(
  "PostgreSQL",
  databasePort,
  () => {
    const { pool, newSchema } = useTestSchemas();
    const schemaOfSink = new WeakMap<PostgresSink, string>();

    const openSink = (options: { schema?: string } = {}): PostgresSink => {
      const schema = newSchema(options.schema);
      const sink = createPostgresSink({ connectionString, schema, tablePrefix: "fh_" });
      schemaOfSink.set(sink, schema);
      return sink;
    };

    const readEvents = async (sink: PostgresSink): Promise<FriendEvent[]> => {
      const result = await pool.query<{ event: FriendEvent }>(`SELECT event FROM ${sink.tables.events} ORDER BY sequence`);
      return result.rows.map((row) => row.event);
    };

    describeSinkConformance("postgres", {
      createSink: () => openSink(),
      readEvents,
      // jsonb cannot hold U+0000: the server refuses the event with a data exception (22P05).
      refuseEvent: (event) => ({ ...event, details: { ...event.details, reason: "a\u0000b" } }) as FriendEvent,
      createReceiver,
      createUnreachableSink: async () =>
        createPostgresSink({ connectionString: `postgres://postgres@${databaseHost}:${await unusedLocalPort()}/test` }),
      cleanup: async (sink) => {
        const schema = schemaOfSink.get(sink);
        if (schema) await dropSchema(pool, schema);
      },
    });

    describe("postgres sink", () => {
      it("through a receiver, one NUL character in a batch of 100 dead-letters that event alone", async () => {
        const sink = openSink();
        const events = buildFriendEvents(100);
        const poisoned = { ...events[37], source: { command: "roster:add", host: "nul\u0000byte" } } as FriendEvent;
        const batch = events.map((event, index) => (index === 37 ? poisoned : event));
        // Every store refuses a NUL (checkStorableText): the event is poisoned on its way out instead.
        const memory = createMemoryStore();
        await memory.append({ events, sinks: [sink.name] });
        const store: FriendEventStore = {
          ...memory,
          claimDeliveries: async (input) =>
            (await memory.claimDeliveries(input)).map((delivery) => (delivery.event.id === poisoned.id ? { ...delivery, event: poisoned } : delivery)),
        };
        const receiver = createReceiver({
          adapters: { none: noCallbacks },
          store,
          sinks: [sink],
          delivery: { batchSize: 100, maximumAttempts: 5, initialBackoffMs: 10, maximumBackoffMs: 50, pollIntervalMs: 10 },
        });
        receiver.start();
        try {
          const deadline = Date.now() + 60_000;
          while ((await store.countDeliveries()).some((count) => count.pending > 0)) {
            if (Date.now() > deadline) throw new Error("Timed out waiting until nothing is pending.");
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          const { deadLetters } = await store.listDeadLetters();
          expect(deadLetters.map((deadLetter) => [deadLetter.event.id, deadLetter.attempts])).toEqual([[poisoned.id, 1]]);
          expect(deadLetters[0]?.lastError).toMatch(/could not store the event/);
          expect((await readEvents(sink)).map((event) => event.id)).toEqual(batch.filter((event) => event !== poisoned).map((event) => event.id));
        } finally {
          await receiver.close();
        }
      });

      it("fails against an unreachable server, then loses nothing once delivered to a live one", async () => {
        const events = buildFriendEvents(6);
        const unreachable = createPostgresSink({
          connectionString: `postgres://postgres@${databaseHost}:${await unusedLocalPort()}/test`,
        });
        const failure = await unreachable.deliver(events).catch((error: unknown) => error);
        await unreachable.close();
        expect(failure).toBeInstanceOf(SinkError);
        expect((failure as SinkError).permanent).toBe(false);

        const sink = openSink();
        await sink.deliver(events.slice(0, 2));
        // The failed batch is delivered again in full, as the delivery loop does after a failure.
        await sink.deliver(events);
        expect((await readEvents(sink)).map((event) => event.id)).toEqual(events.map((event) => event.id));
        await sink.close();
      });

      it("reconnects after the server ends its connections, losing nothing", async () => {
        const applicationName = `friendhook-test-${uniqueSchemaName().slice(-12)}`;
        const schema = newSchema();
        const sink = createPostgresSink({ connectionString, schema, applicationName });
        const events = buildFriendEvents(9);
        await sink.deliver(events.slice(0, 3));

        // The server ends the sink's idle connections, as a restart would.
        const terminated = await pool.query(
          "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = $1",
          [applicationName],
        );
        expect(terminated.rowCount).toBeGreaterThan(0);

        // The delivery loop retries a failed batch; retries must get through within a deadline (a
        // deadline, not a count: how soon a new connection is made depends on how busy the machine is).
        const deadline = Date.now() + 30_000;
        for (;;) {
          try {
            await sink.deliver(events.slice(3));
            break;
          } catch (error) {
            expect(error).toBeInstanceOf(SinkError);
            if (Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        expect((await readEvents(sink)).map((event) => event.id)).toEqual(events.map((event) => event.id));
        await sink.close();
      }, 60_000);

      it("creates its tables by versioned migrations, once, even when two processes migrate at once", async () => {
        const schema = uniqueSchemaName();
        const first = openSink({ schema });
        const second = openSink({ schema });
        const [firstApplied, secondApplied] = await Promise.all([first.migrate(), second.migrate()]);
        expect([...firstApplied, ...secondApplied].sort((left, right) => left - right)).toEqual(migrations.map((migration) => migration.version));
        const recorded = await pool.query<{ version: number }>(`SELECT version FROM ${first.tables.migrations} ORDER BY version`);
        expect(recorded.rows.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
        expect(await first.migrate()).toEqual([]);
        await Promise.all([first.close(), second.close()]);
      });

      it("keeps tables of different prefixes in one schema apart", async () => {
        const schema = newSchema();
        const left = createPostgresSink({ connectionString, schema, tablePrefix: "left_" });
        const right = createPostgresSink({ connectionString, schema, tablePrefix: "right_" });
        await left.deliver(buildFriendEvents(2));
        await right.deliver(buildFriendEvents(3, 10));
        expect(await readEvents(left)).toHaveLength(2);
        expect(await readEvents(right)).toHaveLength(3);
        await Promise.all([left.close(), right.close()]);
      });

      it("works on a pool the application owns and leaves it open", async () => {
        const schema = newSchema();
        const sink = createPostgresSink({ pool, schema });
        await sink.deliver(buildFriendEvents(1));
        await sink.close();
        expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      });
    });
  },
  { host: databaseHost },
);
