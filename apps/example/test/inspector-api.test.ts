import { buildEasemobCallback } from "@friendhook/easemob";
import { afterEach, describe, expect, it } from "vitest";
import { sendCallback } from "../src/simulate/send-callback";
import { type RunningApp, bothProviders, request, startApp, testCredentials } from "./support/running-app";

const { easemobSecret, easemobAppKey } = testCredentials;
const apiToken = "inspector-api-token-Qw3Er5Ty7";
const authorization = { authorization: `Bearer ${apiToken}` };

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

async function start(variables: Record<string, string> = {}) {
  const app = await startApp({ ...bothProviders, FRIENDHOOK_API_TOKEN: apiToken, ...variables });
  running.push(app);
  return app;
}

/** A signed Easemob callback: `from` does `operation` to `to`. */
function easemob(operation: "add" | "ban" | "allow", from: string, to: string, messageId: string) {
  return buildEasemobCallback({ secret: easemobSecret, appKey: easemobAppKey, operation, from: `${easemobAppKey}_${from}@easemob.com`, to, messageId });
}

/** Reads server-sent events from a stream until `enough` says so, then stops reading. */
async function readMessages(response: Response, enough: (messages: Array<{ event: string; id?: string; data: string }>) => boolean) {
  const messages: Array<{ event: string; id?: string; data: string }> = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (!enough(messages)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const lines = buffer.slice(0, end).split("\n").filter((line) => !line.startsWith(":"));
      buffer = buffer.slice(end + 2);
      if (lines.length === 0) continue;
      const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      const id = field("id");
      messages.push({ event: field("event") ?? "message", ...(id !== undefined && { id }), data: field("data") ?? "" });
    }
  }
  await reader.cancel();
  return messages;
}

describe("the inspector's routes", () => {
  it("streams the events stored after it began, filtered, with a cursor to reconnect from", async () => {
    const app = await start();
    expect((await sendCallback(app.url, "easemob", easemob("add", "alice", "bob", "before"))).status).toBe(200);
    const controller = new AbortController();
    const response = await fetch(`${app.url}/api/events/stream?userId=carol`, { headers: authorization, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reading = readMessages(response, (messages) => messages.some((message) => message.event === "friend-event"));
    expect((await sendCallback(app.url, "easemob", easemob("ban", "alice", "erin", "other-user"))).status).toBe(200);
    expect((await sendCallback(app.url, "easemob", easemob("ban", "alice", "carol", "carol"))).status).toBe(200);
    const messages = await reading;
    controller.abort();
    const events = messages.filter((message) => message.event === "friend-event").map((message) => JSON.parse(message.data));
    expect(events.map((event) => [event.type, event.actor, event.target])).toEqual([["friend.blocked", "alice", "carol"]]);
    // The cursor of the last position names where the stream is: reconnecting from it gives nothing new.
    const positions = messages.filter((message) => message.event === "position");
    expect(positions.length).toBeGreaterThan(0);
    const stored = (await request(`${app.url}/api/events`, { headers: authorization })).body.events;
    const again = await fetch(`${app.url}/api/events/stream?after=${positions.at(-1)?.id}`, { headers: authorization });
    const resumed = await readMessages(again, (received) => received.some((message) => message.event === "position"));
    expect(resumed.filter((message) => message.event === "friend-event")).toEqual([]);
    expect(stored).toHaveLength(3);
  });

  it("refuses bad input with 400 and a stable code, before any stream begins", async () => {
    const app = await start();
    const cases = [
      "/api/events/stream?after=not-a-cursor",
      "/api/events/stream?colour=blue",
      "/api/events/stream?type=a&type=b",
      "/api/users/relations?provider=easemob&appId=x",
      "/api/users/relations?provider=easemob&appId=x&userId=alice&extra=1",
      "/api/delivery?sink=console",
    ];
    for (const path of cases) {
      const answer = await request(`${app.url}${path}`, { headers: authorization });
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.code, path).toBe("invalid_query");
    }
    const replay = await request(`${app.url}/api/dead-letters/replay?deliveryId=abc`, {
      method: "POST",
      headers: { ...authorization, "content-type": "application/json" },
      body: "{}",
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe("invalid_query");
  });

  it("tells a user's relations with the ordering rule's verdicts, matching the friend table", async () => {
    const app = await start();
    for (const [operation, from, to, id] of [
      ["ban", "alice", "dave", "ban"],
      ["allow", "alice", "dave", "allow"],
      ["ban", "alice", "erin", "erin"],
    ] as const) {
      expect((await sendCallback(app.url, "easemob", easemob(operation, from, to, id))).status).toBe(200);
    }
    const query = `provider=easemob&appId=${encodeURIComponent(easemobAppKey)}&userId=alice`;
    const answer = await request(`${app.url}/api/users/relations?${query}`, { headers: authorization });
    expect(answer.status).toBe(200);
    const friends = (await request(`${app.url}/api/friends?${query}`, { headers: authorization })).body;
    expect({ friends: answer.body.friends, blocked: answer.body.blocked }).toEqual(friends);
    expect(answer.body).toMatchObject({ events: 3, complete: true });
    const dave = answer.body.relations.find((relation: { other: string }) => relation.other === "dave");
    expect(dave).toMatchObject({ owner: "alice", relation: "blocked", value: false });
    expect(dave.steps.map((step: { type: string; outcome: string; won: boolean }) => [step.type, step.outcome, step.won])).toEqual([
      ["friend.blocked", "applied", false],
      ["friend.unblocked", "applied", true],
    ]);
  });

  it("serves the page's files under a self-only Content-Security-Policy, and no page when the API is off", async () => {
    const app = await start();
    for (const path of ["/inspector/", "/inspector/inspector.js", "/inspector/inspector.css"]) {
      const response = await fetch(`${app.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-security-policy"), path).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self'/);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
    const page = await (await fetch(`${app.url}/inspector/`)).text();
    // No inline script or style, and nothing from another origin.
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page).not.toMatch(/\sstyle=|<style/);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    const off = await startApp({ ...bothProviders, FRIENDHOOK_API: "off" });
    running.push(off);
    expect((await fetch(`${off.url}/inspector/`)).status).toBe(404);
  });
});
