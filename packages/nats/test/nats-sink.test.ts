import { randomBytes } from "node:crypto";
import { type FriendEvent, FriendhookError, SinkError } from "@friendhook/core";
import {
  buildFriendEvent,
  buildFriendEvents,
  describeSinkConformance,
  describeWithService,
  startTcpProxy,
  unusedLocalPort,
} from "@friendhook/testkit";
import { type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNatsSink, encodeSubjectToken, type NatsSink } from "../src/index";

const servers = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const address = new URL(servers);
const host = address.hostname;
const port = Number(address.port || 4222);

describe("createNatsSink options", () => {
  it("refuses a mistyped option at construction", () => {
    expect(() => createNatsSink({ servers, subjet: "x" } as never)).toThrow(FriendhookError);
    expect(() => createNatsSink({ servers, timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => createNatsSink({})).toThrow(/exactly one of servers and connection/);
  });

  it("publishes on friendhook.{provider}.{type} by default, each part a safe token", () => {
    const sink = createNatsSink({ servers });
    expect(sink.subjectOf(buildFriendEvent({ provider: "easemob", type: "friend.added" } as Partial<FriendEvent>))).toBe(
      "friendhook.easemob.friend.added",
    );
    expect(sink.subjectOf(buildFriendEvent({ provider: "my.im *> x" }))).toBe("friendhook.my%2Eim%20%2A%3E%20x.friend.added");
    const byApp = createNatsSink({ servers, subject: "events.{provider}.{appId}" });
    expect(byApp.subjectOf(buildFriendEvent({ provider: "tencent", appId: "1400000000" }))).toBe("events.tencent.1400000000");
    expect(byApp.subjectOf(buildFriendEvent({ provider: "easemob", appId: "org#app" }))).toBe("events.easemob.org%23app");
  });

  it("encodes every text to a distinct token", () => {
    expect(encodeSubjectToken("")).toBe("%");
    expect(encodeSubjectToken("%")).toBe("%25");
    expect(encodeSubjectToken("好友")).toBe("%E5%A5%BD%E5%8F%8B");
    expect(encodeSubjectToken("a.b")).not.toBe(encodeSubjectToken("a_b"));
  });
});

describeWithService(
  "NATS",
  port,
  () => {
    let connection: NatsConnection;
    let manager: JetStreamManager;
    const streams: string[] = [];
    const streamOfSink = new WeakMap<NatsSink, string>();

    beforeAll(async () => {
      connection = await connect({ servers });
      manager = await jetstreamManager(connection);
    });
    afterAll(async () => {
      for (const stream of streams) await manager.streams.delete(stream).catch(() => undefined);
      await connection.drain();
    });

    /** A stream of its own for each sink: `friendhook-test-<hex>.>`, deleted after the test. */
    const createStream = async () => {
      const suffix = randomBytes(6).toString("hex");
      const stream = `friendhook_test_${suffix}`;
      const subjectPrefix = `friendhook-test-${suffix}`;
      streams.push(stream);
      await manager.streams.add({ name: stream, subjects: [`${subjectPrefix}.>`] });
      return { stream, subjectPrefix };
    };

    const openSink = async (): Promise<NatsSink> => {
      const { stream, subjectPrefix } = await createStream();
      const sink = createNatsSink({ servers, subject: `${subjectPrefix}.{provider}.{appId}.{type}` });
      streamOfSink.set(sink, stream);
      return sink;
    };

    const readStream = async (stream: string): Promise<FriendEvent[]> => {
      const { state } = await manager.streams.info(stream);
      const events: FriendEvent[] = [];
      for (let sequence = state.first_seq; state.messages > 0 && sequence <= state.last_seq; sequence += 1) {
        const message = await manager.streams.getMessage(stream, { seq: sequence });
        if (message) events.push(message.json<FriendEvent>());
      }
      return events;
    };
    const readEvents = (sink: NatsSink) => readStream(streamOfSink.get(sink) as string);

    describeSinkConformance("nats", {
      createSink: openSink,
      readEvents,
      createUnreachableSink: async () => createNatsSink({ servers: `nats://${host}:${await unusedLocalPort()}`, connectTimeoutMs: 1_000 }),
      cleanup: async (sink) => {
        const stream = streamOfSink.get(sink);
        if (stream) await manager.streams.delete(stream).catch(() => undefined);
      },
    });

    describe("nats sink", () => {
      it("sets the event id as the message id and publishes on the event's subject", async () => {
        const sink = await openSink();
        const event = buildFriendEvent({ appId: "org#app" });
        await sink.deliver([event]);
        const stream = streamOfSink.get(sink) as string;
        const message = await manager.streams.getMessage(stream, { seq: 1 });
        expect(message?.header.get("Nats-Msg-Id")).toBe(event.id);
        expect(message?.subject).toBe(sink.subjectOf(event));
        expect(message?.subject.endsWith(".testkit.org%23app.friend.added")).toBe(true);
        await sink.close();
      });

      it("counts a duplicate acknowledgement as stored", async () => {
        const sink = await openSink();
        const [event] = buildFriendEvents(1) as [FriendEvent];
        // Another publisher stored the event first, with the same message id.
        const acknowledgement = await jetstream(connection).publish(sink.subjectOf(event), JSON.stringify(event), { msgID: event.id });
        expect(acknowledgement.duplicate).toBe(false);
        await expect(sink.deliver([event])).resolves.toBeUndefined();
        expect(await readEvents(sink)).toEqual([event]);
        await sink.close();
      });

      it("fails when no stream takes the subject", async () => {
        const sink = createNatsSink({ servers, subject: `friendhook-nowhere-${randomBytes(6).toString("hex")}.{type}`, timeoutMs: 2_000 });
        await expect(sink.deliver(buildFriendEvents(1))).rejects.toBeInstanceOf(SinkError);
        await sink.close();
      });

      it("fails against an unreachable server, then loses nothing once delivered to a live one", async () => {
        const events = buildFriendEvents(6);
        const unreachable = createNatsSink({ servers: `nats://${host}:${await unusedLocalPort()}`, connectTimeoutMs: 1_000 });
        const failure = await unreachable.deliver(events).catch((error: unknown) => error);
        await unreachable.close();
        expect(failure).toBeInstanceOf(SinkError);

        const sink = await openSink();
        await sink.deliver(events.slice(0, 3));
        await sink.deliver(events);
        expect((await readEvents(sink)).map((event) => event.id)).toEqual(events.map((event) => event.id));
        await sink.close();
      });

      it("fails at once while the server is away, without waiting for the publish timeout, and loses nothing once it is back", async () => {
        const proxy = await startTcpProxy({ host, port });
        const { stream, subjectPrefix } = await createStream();
        // An acknowledgement timeout far beyond the test's own: only failing fast lets the test end.
        const sink = createNatsSink({ servers: `nats://127.0.0.1:${proxy.port}`, subject: `${subjectPrefix}.{type}`, timeoutMs: 600_000 });
        try {
          const events = buildFriendEvents(6);
          await sink.deliver(events.slice(0, 2));

          await proxy.stop();
          // The client drops what is published while it reconnects: a delivery now must fail, not hang.
          const failures: unknown[] = [];
          for (const event of events.slice(2, 4)) failures.push(await sink.deliver([event]).catch((error: unknown) => error));
          expect(failures.every((failure) => failure instanceof SinkError)).toBe(true);

          await proxy.start();
          // The receiver retries a failed batch after a backoff; here, until the client is back.
          let delivered = false;
          for (let attempt = 0; attempt < 100 && !delivered; attempt += 1) {
            delivered = await sink.deliver(events.slice(2)).then(
              () => true,
              async () => {
                await new Promise((resolve) => setTimeout(resolve, 100));
                return false;
              },
            );
          }
          expect(delivered).toBe(true);
          expect((await readStream(stream)).map((event) => event.id)).toEqual(events.map((event) => event.id));
        } finally {
          await sink.close();
          await proxy.close();
        }
      }, 30_000);

      it("works on a connection the application owns and leaves it open", async () => {
        const { stream, subjectPrefix } = await createStream();
        const sink = createNatsSink({ connection, subject: `${subjectPrefix}.{type}` });
        await sink.deliver(buildFriendEvents(2));
        await sink.close();
        expect(connection.isClosed()).toBe(false);
        expect(await readStream(stream)).toHaveLength(2);
      });
    });
  },
  { host },
);
