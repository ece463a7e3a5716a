import type { FriendEvent, FriendEventSink } from "@friendhook/core";
import { createNatsSink } from "@friendhook/nats";
import { createPostgresSink } from "@friendhook/postgres";
import { createRedisSink } from "@friendhook/redis";
import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { createClient } from "redis";

/**
 * A server a backlog is delivered to: the sink, the server's own write rate with the client library
 * the sink uses, how many events it holds after the drain, and the clean-up. Every name carries the
 * run's id, so that runs (and tests) sharing the servers never meet.
 */
export interface Destination {
  /** The sink's name, which the backlog's deliveries are made for. */
  readonly sinkName: string;
  readonly label: string;
  /** What the server's own write rate is: the same events, written as fast as the client library allows. */
  readonly serverWrite: string;
  /** Answers, or throws why not. */
  ready(): Promise<void>;
  createSink(): FriendEventSink;
  /** Writes `events` as fast as the client library allows; resolves once all are acknowledged. */
  writeDirectly(events: readonly FriendEvent[]): Promise<void>;
  /** Events the sink stored (not those written directly). */
  storedBySink(): Promise<number>;
  cleanUp(): Promise<void>;
}

export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const natsServers = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
export const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Commands or publishes in flight at once in a server's own write rate. */
const writesInFlight = 2_000;
/** Rows per INSERT in PostgreSQL's own write rate. */
const rowsPerInsert = 1_000;

/** Runs `write` for every item with at most `inFlight` unsettled at once; rejects with the first failure. */
async function writeWindowed<Item>(items: readonly Item[], inFlight: number, write: (item: Item) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += inFlight) {
    await Promise.all(items.slice(start, start + inFlight).map(write));
  }
}

export function redisDestination(runId: string, backlog: number): Destination {
  const prefix = `friendhook-bench:${runId}`;
  const sinkStream = `${prefix}:sink`;
  const directStream = `${prefix}:direct`;
  const client = createClient({ url: redisUrl });
  client.on("error", () => undefined);
  // The streams must keep every event: MAXLEN ~ above the backlog, as an application would size it.
  const maxLength = backlog * 2;
  return {
    sinkName: "redis",
    label: "Redis Streams (`@friendhook/redis`)",
    serverWrite: `pipelined \`XADD\` with node-redis, ${writesInFlight.toLocaleString("en-US")} in flight`,
    async ready() {
      if (!client.isOpen) await client.connect();
      await client.ping();
    },
    createSink: () => createRedisSink({ url: redisUrl, key: sinkStream, maxLength, dedupeTtlSeconds: 3_600 }),
    async writeDirectly(events) {
      await writeWindowed(events, writesInFlight, (event) =>
        client.sendCommand(["XADD", directStream, "MAXLEN", "~", String(maxLength), "*", "id", event.id, "type", event.type, "event", JSON.stringify(event)]),
      );
    },
    storedBySink: async () => Number(await client.sendCommand(["XLEN", sinkStream])),
    async cleanUp() {
      if (!client.isOpen) return;
      await client.sendCommand(["UNLINK", sinkStream, directStream]);
      // The sink's markers, one per event id.
      let cursor = "0";
      do {
        const [next, keys] = (await client.sendCommand(["SCAN", cursor, "MATCH", `${prefix}:*`, "COUNT", "5000"])) as [string, string[]];
        cursor = next;
        if (keys.length > 0) await client.sendCommand(["UNLINK", ...keys]);
      } while (cursor !== "0");
      await client.close();
    },
  };
}

export function natsDestination(runId: string): Destination {
  const token = runId.replace(/[^A-Za-z0-9]/g, "");
  const sinkStream = `FRIENDHOOK_BENCH_${token}_SINK`;
  const directStream = `FRIENDHOOK_BENCH_${token}_DIRECT`;
  const sinkSubject = `friendhook-bench.${token}.sink.{provider}.{type}`;
  const directSubject = `friendhook-bench.${token}.direct.tencent.friend.added`;
  const connection = connect({ servers: natsServers, name: "friendhook-bench" });
  connection.catch(() => undefined);
  const encoder = new TextEncoder();
  return {
    sinkName: "nats",
    label: "NATS JetStream (`@friendhook/nats`)",
    serverWrite: `asynchronous JetStream publishes with @nats-io/jetstream, ${writesInFlight.toLocaleString("en-US")} in flight, each with its message id`,
    async ready() {
      const manager = await jetstreamManager(await connection);
      await manager.streams.add({ name: directStream, subjects: [`friendhook-bench.${token}.direct.>`], storage: StorageType.File });
    },
    createSink: () => createNatsSink({ servers: natsServers, subject: sinkSubject, createStream: { name: sinkStream } }),
    async writeDirectly(events) {
      const client = jetstream(await connection);
      await writeWindowed(events, writesInFlight, (event) => client.publish(directSubject, encoder.encode(JSON.stringify(event)), { msgID: event.id }));
    },
    async storedBySink() {
      const manager = await jetstreamManager(await connection);
      return (await manager.streams.info(sinkStream)).state.messages;
    },
    async cleanUp() {
      const opened = await connection.catch(() => undefined);
      if (!opened) return;
      const manager = await jetstreamManager(opened);
      for (const stream of [sinkStream, directStream]) await manager.streams.delete(stream).catch(() => false);
      await opened.close();
    },
  };
}

export function postgresDestination(runId: string): Destination {
  const schema = `friendhook_bench_sink_${runId.replace(/[^a-z0-9]/g, "")}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on("error", () => undefined);
  return {
    sinkName: "postgres",
    label: "PostgreSQL sink (`@friendhook/postgres`)",
    serverWrite: `multi-row \`INSERT\`s with node-postgres, ${rowsPerInsert.toLocaleString("en-US")} rows (id, jsonb) each`,
    async ready() {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.query(`CREATE SCHEMA ${schema}`);
      await pool.query(`CREATE TABLE ${schema}.direct (id text PRIMARY KEY, event jsonb NOT NULL)`);
    },
    createSink: () => createPostgresSink({ connectionString: databaseUrl, schema }),
    async writeDirectly(events) {
      const client = await pool.connect();
      try {
        for (let start = 0; start < events.length; start += rowsPerInsert) {
          const rows = events.slice(start, start + rowsPerInsert);
          const values = rows.map((_, index) => `($${index * 2 + 1}, $${index * 2 + 2})`).join(", ");
          await client.query(
            `INSERT INTO ${schema}.direct (id, event) VALUES ${values}`,
            rows.flatMap((event) => [event.id, JSON.stringify(event)]),
          );
        }
      } finally {
        client.release();
      }
    },
    async storedBySink() {
      const result = await pool.query<{ count: number }>(`SELECT count(*)::integer AS count FROM ${schema}.friendhook_events`);
      return result.rows[0]?.count ?? 0;
    },
    async cleanUp() {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await pool.end();
    },
  };
}
