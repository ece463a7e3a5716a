import { randomBytes } from "node:crypto";
import { deliverToSink, type FriendEvent, FriendhookError, SinkError } from "@friendhook/core";
import { createReceiver } from "@friendhook/receiver";
import { buildFriendEvent, buildFriendEvents, describeSinkConformance, describeWithService, unusedLocalPort } from "@friendhook/testkit";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisSink, type RedisSink } from "../src/index";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const address = new URL(url);
const host = address.hostname;
const port = Number(address.port || 6379);

/** A key prefix no other test uses. */
const uniquePrefix = () => `friendhook-test:${randomBytes(6).toString("hex")}`;

describe("createRedisSink options", () => {
  it("refuses a mistyped option at construction", () => {
    expect(() => createRedisSink({ url, maxLenght: 10 } as never)).toThrow(FriendhookError);
    expect(() => createRedisSink({ url: "http://127.0.0.1:6379" })).toThrow(/url/);
    expect(() => createRedisSink({ url, maxLength: 0 })).toThrow(/maxLength/);
    expect(() => createRedisSink({})).toThrow(/exactly one of url and client/);
  });

  it("names streams by provider and app unless told otherwise", () => {
    const event = buildFriendEvent({ provider: "easemob", appId: "org#app" });
    expect(createRedisSink({ url }).streamKeyOf(event)).toBe("friendhook:easemob:org#app");
    expect(createRedisSink({ url, key: "{friendhook}:{provider}:{type}" }).streamKeyOf(event)).toBe(
      "{friendhook}:easemob:friend.added",
    );
    expect(createRedisSink({ url, key: (each) => `app:${each.appId}` }).streamKeyOf(event)).toBe("app:org#app");
  });
});

describeWithService(
  "Redis",
  port,
  () => {
    const reader = createClient({ url });
    reader.on("error", () => undefined);
    const prefixes: string[] = [];
    const prefixOfSink = new WeakMap<RedisSink, string>();

    beforeAll(async () => {
      await reader.connect();
    });
    afterAll(async () => {
      for (const prefix of prefixes) await removeKeys(prefix);
      await reader.close();
    });

    const removeKeys = async (prefix: string) => {
      const keys: string[] = [];
      for await (const batch of reader.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) keys.push(...batch);
      if (keys.length > 0) await reader.del(keys);
    };

    const openSink = (options: { clientName?: string; maxLength?: number } = {}): RedisSink => {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      const sink = createRedisSink({ url, key: `${prefix}:{provider}:{appId}`, ...options });
      prefixOfSink.set(sink, prefix);
      return sink;
    };

    const readStream = async (key: string): Promise<FriendEvent[]> => {
      const entries = (await reader.xRange(key, "-", "+")) ?? [];
      return entries.map((entry) => JSON.parse(String(entry.message.event)) as FriendEvent);
    };
    const connectionIdOf = async (clientName: string): Promise<string | undefined> => {
      const list = String(await reader.sendCommand(["CLIENT", "LIST"]));
      const line = list.split("\n").find((entry) => entry.includes(` name=${clientName} `));
      return line?.match(/\bid=(\d+)/)?.[1];
    };
    const readEvents = (sink: RedisSink) => readStream(sink.streamKeyOf(buildFriendEvent()));

    /**
     * A sink whose key function sends refused events (marked in `source.messageId`) to a key that
     * holds a string: Redis answers WRONGTYPE to their XADD.
     */
    const openSinkWithOccupiedKey = async (): Promise<RedisSink> => {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      await reader.set(`${prefix}:occupied`, "not a stream");
      const sink = createRedisSink({
        url,
        key: (event) => (event.source.messageId === "refused" ? `${prefix}:occupied` : `${prefix}:${event.provider}:${event.appId}`),
      });
      prefixOfSink.set(sink, prefix);
      return sink;
    };
    const refuseEvent = (event: FriendEvent): FriendEvent => ({ ...event, source: { ...event.source, messageId: "refused" } });

    describeSinkConformance("redis", {
      createSink: openSinkWithOccupiedKey,
      refuseEvent,
      createReceiver,
      readEvents,
      createUnreachableSink: async () => createRedisSink({ url: `redis://${host}:${await unusedLocalPort()}` }),
      cleanup: async (sink) => {
        const prefix = prefixOfSink.get(sink);
        if (prefix) await removeKeys(prefix);
      },
    });

    describe("redis sink", () => {
      it("writes each entry with the event id, type and JSON", async () => {
        const sink = openSink();
        const [event] = buildFriendEvents(1);
        await sink.deliver([event as FriendEvent]);
        const [entry] = (await reader.xRange(sink.streamKeyOf(event as FriendEvent), "-", "+")) ?? [];
        expect(entry?.message).toEqual({ id: event?.id, type: event?.type, event: JSON.stringify(event) });
        // The marker remembers the entry for a week by default, then expires.
        const marker = `${sink.streamKeyOf(event as FriendEvent)}:seen:${event?.id}`;
        expect(await reader.get(marker)).toBe(entry?.id);
        const ttl = await reader.ttl(marker);
        expect(ttl).toBeGreaterThan(604_000);
        expect(ttl).toBeLessThanOrEqual(604_800);
        await sink.close();
      });

      it("reports the events appended before one whose key holds another type, and attempts none after it", async () => {
        const sink = await openSinkWithOccupiedKey();
        const events = buildFriendEvents(4);
        const batch = [events[0], events[1], refuseEvent(events[2] as FriendEvent), events[3]] as FriendEvent[];
        const report = await deliverToSink(sink, batch);
        expect(report.batchError).toBeUndefined();
        expect(report.outcomes.map((outcome) => outcome.status)).toEqual(["delivered", "delivered", "failed", "not-attempted"]);
        const refusal = report.outcomes[2];
        const error = refusal?.status === "failed" ? (refusal.error as SinkError) : undefined;
        expect(error).toBeInstanceOf(SinkError);
        expect(error?.permanent).toBe(true);
        expect(error?.message).toContain("WRONGTYPE");
        expect((await readEvents(sink)).map((event) => event.id)).toEqual([events[0]?.id, events[1]?.id]);
        await sink.close();
      });

      it("sends events of different apps to different streams", async () => {
        const sink = openSink();
        const first = buildFriendEvent({ appId: "org#first" }, 1);
        const second = buildFriendEvent({ appId: "org#second" }, 2);
        await sink.deliver([first, second]);
        expect(await readStream(sink.streamKeyOf(first))).toEqual([first]);
        expect(await readStream(sink.streamKeyOf(second))).toEqual([second]);
        await sink.close();
      });

      it("keeps one copy when two deliveries of the same events race", async () => {
        const first = openSink();
        const prefix = prefixOfSink.get(first) as string;
        const second = createRedisSink({ url, key: `${prefix}:{provider}:{appId}` });
        const events = buildFriendEvents(20);
        await Promise.all([first.deliver(events), second.deliver(events)]);
        expect((await readEvents(first)).map((event) => event.id)).toEqual(events.map((event) => event.id));
        await Promise.all([first.close(), second.close()]);
      });

      it("trims the stream to about maxLength entries", async () => {
        const sink = openSink({ maxLength: 10 });
        for (let round = 0; round < 30; round += 1) await sink.deliver(buildFriendEvents(10, round * 10));
        const length = await reader.xLen(sink.streamKeyOf(buildFriendEvent()));
        // MAXLEN ~ trims whole radix-tree nodes (100 entries by default), never below maxLength.
        expect(length).toBeGreaterThanOrEqual(10);
        expect(length).toBeLessThan(300);
      });

      it("fails against an unreachable server, then loses nothing once delivered to a live one", async () => {
        const events = buildFriendEvents(6);
        const unreachable = createRedisSink({ url: `redis://${host}:${await unusedLocalPort()}` });
        const failure = await unreachable.deliver(events).catch((error: unknown) => error);
        await unreachable.close();
        expect(failure).toBeInstanceOf(SinkError);

        const sink = openSink();
        await sink.deliver(events.slice(0, 3));
        await sink.deliver(events);
        expect((await readEvents(sink)).map((event) => event.id)).toEqual(events.map((event) => event.id));
        await sink.close();
      });

      it("reconnects after the server drops its connection, losing nothing", async () => {
        const clientName = `friendhook-test-${randomBytes(4).toString("hex")}`;
        const sink = openSink({ clientName });
        const events = buildFriendEvents(9);
        await sink.deliver(events.slice(0, 3));

        // The server ends the sink's connection, as a restart would.
        const connectionId = await connectionIdOf(clientName);
        expect(connectionId).toBeDefined();
        await reader.sendCommand(["CLIENT", "KILL", "ID", connectionId as string]);

        // The delivery loop retries a failed batch; retries must get through within a deadline (a
        // deadline, not a count: how soon the client reconnects depends on how busy the machine is).
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
        const reconnectedId = await connectionIdOf(clientName);
        expect(reconnectedId).toBeDefined();
        expect(reconnectedId).not.toBe(connectionId);
        await sink.close();
      }, 60_000);

      it("works on a client the application owns and leaves it open", async () => {
        const prefix = uniquePrefix();
        prefixes.push(prefix);
        const sink = createRedisSink({ client: reader, key: `${prefix}:{provider}:{appId}` });
        await sink.deliver(buildFriendEvents(2));
        await sink.close();
        expect(await reader.ping()).toBe("PONG");
        expect(await readEvents(sink)).toHaveLength(2);
      });
    });
  },
  { host },
);
