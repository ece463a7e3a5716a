import { randomBytes } from "node:crypto";
import { deliverToSink, type FriendEvent, FriendhookError, SinkError } from "@friendhook/core";
import { createReceiver } from "@friendhook/receiver";
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
import { subjectFilterOf } from "../src/subject";

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

  it("needs the subjects of a stream to create when they cannot be known from the subject", () => {
    expect(() => createNatsSink({ servers, subject: () => "anything", createStream: { name: "EVENTS" } })).toThrow(/createStream\.subjects/);
    expect(() => createNatsSink({ servers, subject: "{provider}.{type}", createStream: { name: "EVENTS" } })).toThrow(/createStream\.subjects/);
    expect(() => createNatsSink({ servers, createStream: { name: "two words" } })).toThrow(/stream name/);
    expect(() => createNatsSink({ servers, subject: () => "anything", createStream: { name: "EVENTS", subjects: ["events.>"] } })).not.toThrow();
  });

  it("derives the subjects a stream needs from the template's fixed tokens", () => {
    expect(subjectFilterOf("friendhook.{provider}.{type}")).toBe("friendhook.>");
    expect(subjectFilterOf("events.im.{appId}")).toBe("events.im.>");
    expect(subjectFilterOf("events.all")).toBe("events.all");
    expect(subjectFilterOf("{provider}.{type}")).toBeUndefined();
    expect(subjectFilterOf(() => "x")).toBeUndefined();
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

    /** Messages larger than this are refused by the test streams. */
    const maximumMessageBytes = 16 * 1024;

    /** A stream of its own for each sink: `friendhook-test-<hex>.>`, deleted after the test. */
    const createStream = async () => {
      const suffix = randomBytes(6).toString("hex");
      const stream = `friendhook_test_${suffix}`;
      const subjectPrefix = `friendhook-test-${suffix}`;
      streams.push(stream);
      await manager.streams.add({ name: stream, subjects: [`${subjectPrefix}.>`], max_msg_size: maximumMessageBytes });
      return { stream, subjectPrefix };
    };

    /** An event with a 32 KB friend-request reason: larger than the test streams take. */
    const tooLarge = (event: FriendEvent): FriendEvent => ({ ...event, details: { ...event.details, reason: "x".repeat(2 * maximumMessageBytes) } }) as FriendEvent;

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
      refuseEvent: tooLarge,
      createReceiver,
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

      it("says that no stream captures the subject, and how to create one, rather than that JetStream is not enabled", async () => {
        const prefix = `friendhook-nowhere-${randomBytes(6).toString("hex")}`;
        const sink = createNatsSink({ servers, subject: `${prefix}.{provider}.{type}`, timeoutMs: 2_000 });
        const failure = await sink.deliver(buildFriendEvents(1)).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(SinkError);
        const message = (failure as SinkError).message;
        expect(message).not.toMatch(/jetstream is not enabled/i);
        expect(message).toContain(`no JetStream stream captures subject ${prefix}.testkit.friend.added`);
        expect(message).toContain(`nats stream add FRIENDHOOK --subjects '${prefix}.>' --storage file --defaults`);
        expect(message).toContain("createStream");
        await sink.close();
      });

      it("creates the stream before the first publish when asked, and leaves an existing one as it is", async () => {
        const suffix = randomBytes(6).toString("hex");
        const name = `friendhook_created_${suffix}`;
        streams.push(name);
        const sink = createNatsSink({ servers, subject: `friendhook-created-${suffix}.{provider}.{type}`, createStream: { name } });
        const events = buildFriendEvents(3);
        await sink.deliver(events);
        const info = await manager.streams.info(name);
        expect(info.config.subjects).toEqual([`friendhook-created-${suffix}.>`]);
        expect(info.config.storage).toBe("file");
        expect((await readStream(name)).map((event) => event.id)).toEqual(events.map((event) => event.id));
        await sink.close();

        // Changed by its operator meanwhile: another sink asking for it keeps it as it is.
        await manager.streams.update(name, { ...info.config, max_msgs: 1000 });
        const again = createNatsSink({ servers, subject: `friendhook-created-${suffix}.{provider}.{type}`, createStream: { name, subjects: ["other.>"] } });
        await again.ensureStream();
        const kept = await manager.streams.info(name);
        expect(kept.config.subjects).toEqual([`friendhook-created-${suffix}.>`]);
        expect(kept.config.max_msgs).toBe(1000);
        await again.close();
      });

      it("says why it cannot create the stream, and publishes nothing", async () => {
        const { subjectPrefix } = await createStream();
        const name = `friendhook_overlap_${randomBytes(6).toString("hex")}`;
        // Its subjects overlap the test stream's: the server refuses to create it.
        const sink = createNatsSink({ servers, subject: `${subjectPrefix}.{type}`, createStream: { name } });
        const failure = await sink.deliver(buildFriendEvents(1)).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(SinkError);
        expect((failure as SinkError).message).toContain(`could not create stream ${name} for ${subjectPrefix}.>`);
        await sink.close();
      });

      it("fails an event larger than the stream takes alone and permanently, and publishes the other pairs' events", async () => {
        const sink = await openSink();
        const events = buildFriendEvents(4);
        const batch = [events[0], events[1], tooLarge(events[2] as FriendEvent), events[3]] as FriendEvent[];
        const report = await deliverToSink(sink, batch);
        // Four user pairs: only the refused event's own pair would be held back.
        expect(report.outcomes.map((outcome) => outcome.status)).toEqual(["delivered", "delivered", "failed", "delivered"]);
        const refusal = report.outcomes[2];
        const error = refusal?.status === "failed" ? (refusal.error as SinkError) : undefined;
        expect(error?.permanent).toBe(true);
        expect(error?.message).toMatch(/larger than the server or stream takes/);
        expect((await readEvents(sink)).map((event) => event.id)).toEqual([events[0]?.id, events[1]?.id, events[3]?.id]);
        await sink.close();
      });

      it("publishes the pairs in parallel and each pair in order, holding back only the pair of a refused event", async () => {
        const sink = await openSink();
        // Two pairs, their events interleaved: alice and bob's second event is refused.
        const between = (actor: string, target: string, sequence: number) =>
          buildFriendEvent({ actor, target, id: `${actor}-${target}-${sequence}` }, sequence);
        const batch = [
          between("alice", "bob", 0),
          between("carol", "dave", 1),
          tooLarge(between("bob", "alice", 2)),
          between("carol", "dave", 3),
          between("alice", "bob", 4),
          between("dave", "carol", 5),
        ];
        const report = await deliverToSink(sink, batch);
        expect(report.outcomes.map((outcome) => outcome.status)).toEqual(["delivered", "delivered", "failed", "delivered", "not-attempted", "delivered"]);
        const stored = (await readEvents(sink)).map((event) => event.id);
        expect(stored.filter((id) => id.startsWith("alice") || id.startsWith("bob"))).toEqual(["alice-bob-0"]);
        expect(stored.filter((id) => id.startsWith("carol") || id.startsWith("dave"))).toEqual(["carol-dave-1", "carol-dave-3", "dave-carol-5"]);

        // Delivered again from the refused event's pair on, nothing is stored twice and the order holds.
        await sink.deliver([batch[4] as FriendEvent, batch[5] as FriendEvent]);
        const again = (await readEvents(sink)).map((event) => event.id);
        expect(again.filter((id) => id.startsWith("alice") || id.startsWith("bob"))).toEqual(["alice-bob-0", "alice-bob-4"]);
        expect(again.filter((id) => id.startsWith("carol") || id.startsWith("dave"))).toEqual(["carol-dave-1", "carol-dave-3", "dave-carol-5"]);
        await sink.close();
      });

      it("keeps each pair's order with many events in flight at once", async () => {
        const sink = await openSink();
        // 400 events over 40 pairs, the pairs interleaved as a store's backlog is.
        const batch = Array.from({ length: 400 }, (_, index) =>
          buildFriendEvent({ actor: `user-${index % 40}`, target: `other-${index % 40}`, id: `event-${index}` }, index),
        );
        await sink.deliver(batch);
        const stored = await readEvents(sink);
        expect(stored).toHaveLength(400);
        for (let pair = 0; pair < 40; pair += 1) {
          const ofPair = stored.filter((event) => event.actor === `user-${pair}`).map((event) => Number(event.id.slice("event-".length)));
          expect(ofPair).toEqual([...ofPair].sort((left, right) => left - right));
          expect(ofPair).toHaveLength(10);
        }
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
          // Until a deadline, not a count of attempts: how soon it reconnects depends on how busy the machine is.
          let delivered = false;
          const deadline = Date.now() + 30_000;
          while (!delivered && Date.now() < deadline) {
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
      }, 60_000);

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
