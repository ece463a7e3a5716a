import { FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { buildEasemobCallback, createEasemobAdapter } from "../src/index";

const secret = "event-cap-secret";
const accept = () => buildEasemobCallback({ secret, operation: "remote_accept", from: "demo#app_bob@easemob.com", to: "alice" });

describe("maximumEventsPerCallback", () => {
  it("refuses a callback that would make more events, with too_many_events (413) and nothing returned", async () => {
    const capped = createEasemobAdapter({ secret, maximumEventsPerCallback: 1 });
    await expect(capped.receive(accept())).rejects.toMatchObject({
      code: "too_many_events",
      status: 413,
      message: expect.stringContaining("makes 2 events, more than maximumEventsPerCallback (1)"),
    });
    const error = await capped.receive(accept()).then(
      () => new Error("accepted"),
      (refused: unknown) => refused,
    );
    expect(error).toBeInstanceOf(FriendhookError);
    expect(capped.refuse(error as FriendhookError).status).toBe(413);
  });

  it("accepts a callback at the cap, and callbacks of one event under it", async () => {
    await expect(createEasemobAdapter({ secret, maximumEventsPerCallback: 2 }).receive(accept())).resolves.toMatchObject({
      events: [{ type: "friend.request.accepted" }, { type: "friend.added" }],
    });
    const remove = buildEasemobCallback({ secret, operation: "remove", from: "alice", to: "bob" });
    await expect(createEasemobAdapter({ secret, maximumEventsPerCallback: 1 }).receive(remove)).resolves.toMatchObject({
      events: [{ type: "friend.removed" }],
    });
  });

  it("leaves room by default: Easemob's largest callback makes two events", async () => {
    await expect(createEasemobAdapter({ secret }).receive(accept())).resolves.toMatchObject({ events: [{}, {}] });
  });
});
