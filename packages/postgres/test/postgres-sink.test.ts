import { type FriendEvent, FriendhookError, SinkError } from "@friendhook/core";
import { buildFriendEvents, describeSinkConformance, describeWithService, unusedLocalPort } from "@friendhook/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresSink, migrations, type PostgresSink } from "../src/index";
import { connectionString, createTestPool, databaseHost, databasePort, dropSchema, uniqueSchemaName } from "./postgres-test-database";

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
    const pool = createTestPool();
    const schemas: string[] = [];
    const schemaOfSink = new WeakMap<PostgresSink, string>();

    const openSink = (options: { schema?: string } = {}): PostgresSink => {
      const schema = options.schema ?? uniqueSchemaName();
      schemas.push(schema);
      const sink = createPostgresSink({ connectionString, schema, tablePrefix: "fh_" });
      schemaOfSink.set(sink, schema);
      return sink;
    };

    const readEvents = async (sink: PostgresSink): Promise<FriendEvent[]> => {
      const result = await pool.query<{ event: FriendEvent }>(`SELECT event FROM ${sink.tables.events} ORDER BY sequence`);
      return result.rows.map((row) => row.event);
    };

    afterAll(async () => {
      for (const schema of schemas) await dropSchema(pool, schema);
      await pool.end();
    });

    describeSinkConformance("postgres", {
      createSink: () => openSink(),
      readEvents,
      createUnreachableSink: async () =>
        createPostgresSink({ connectionString: `postgres://postgres@${databaseHost}:${await unusedLocalPort()}/test` }),
      cleanup: async (sink) => {
        const schema = schemaOfSink.get(sink);
        if (schema) await dropSchema(pool, schema);
      },
    });

    describe("postgres sink", () => {
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
        const schema = uniqueSchemaName();
        schemas.push(schema);
        const sink = createPostgresSink({ connectionString, schema, applicationName });
        const events = buildFriendEvents(9);
        await sink.deliver(events.slice(0, 3));

        // The server ends the sink's idle connections, as a restart would.
        const terminated = await pool.query(
          "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = $1",
          [applicationName],
        );
        expect(terminated.rowCount).toBeGreaterThan(0);

        // The delivery loop retries a failed batch; a bounded number of attempts must get through.
        for (let attempt = 1; ; attempt += 1) {
          try {
            await sink.deliver(events.slice(3));
            break;
          } catch (error) {
            expect(error).toBeInstanceOf(SinkError);
            if (attempt >= 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        expect((await readEvents(sink)).map((event) => event.id)).toEqual(events.map((event) => event.id));
        await sink.close();
      });

      it("creates its tables by versioned migrations, once, even when two processes migrate at once", async () => {
        const schema = uniqueSchemaName();
        const first = openSink({ schema });
        const second = openSink({ schema });
        const [firstApplied, secondApplied] = await Promise.all([first.migrate(), second.migrate()]);
        expect([...firstApplied, ...secondApplied].sort()).toEqual(migrations.map((migration) => migration.version));
        const recorded = await pool.query<{ version: number }>(`SELECT version FROM ${first.tables.migrations} ORDER BY version`);
        expect(recorded.rows.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
        expect(await first.migrate()).toEqual([]);
        await Promise.all([first.close(), second.close()]);
      });

      it("keeps tables of different prefixes in one schema apart", async () => {
        const schema = uniqueSchemaName();
        schemas.push(schema);
        const left = createPostgresSink({ connectionString, schema, tablePrefix: "left_" });
        const right = createPostgresSink({ connectionString, schema, tablePrefix: "right_" });
        await left.deliver(buildFriendEvents(2));
        await right.deliver(buildFriendEvents(3, 10));
        expect(await readEvents(left)).toHaveLength(2);
        expect(await readEvents(right)).toHaveLength(3);
        await Promise.all([left.close(), right.close()]);
      });

      it("works on a pool the application owns and leaves it open", async () => {
        const schema = uniqueSchemaName();
        schemas.push(schema);
        const sink = createPostgresSink({ pool, schema });
        await sink.deliver(buildFriendEvents(1));
        await sink.close();
        expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      });
    });
  },
  { host: databaseHost },
);
