import { createProviderRequest } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createEasemobAdapter } from "../src/index";
import { type SeedName, seedBody, seedCallbacks, seedNames, seedReceivedAt, signedSeed, testSecret } from "./seed-callbacks";

const adapter = createEasemobAdapter({ secret: testSecret });

const expectedCommands: Record<SeedName, string> = {
  add: "roster:add",
  remove: "roster:remove",
  accept: "roster:accept",
  decline: "roster:remote_decline",
  ban: "roster:ban",
  allow: "roster:allow",
};

/**
 * The seed document's examples give `from` as `XXXX#XXXX`, which is exactly their app key: an
 * address that names no user. No event may make an app key its actor, so each is acknowledged
 * (Easemob would suspend a rule whose callbacks fail) and kept as unrecognized. The current
 * documents give `from` as a JID; those examples make events (`documented-callbacks.test.ts`).
 */
describe("the seed document's callback examples", () => {
  for (const name of seedNames) {
    it(`acknowledges the ${name} example and keeps it as unrecognized: its from is the app key alone`, async () => {
      const received = await adapter.receive(signedSeed(name));
      expect(received.provider).toBe("easemob");
      expect(received.appId).toBe("XXXX#XXXX");
      expect(received.command).toBe(expectedCommands[name]);
      expect(received.events).toEqual([]);
      expect(received.unrecognized).toEqual({ command: expectedCommands[name], reason: expect.stringContaining("from names no user") });
      expect(received.acknowledgement.status).toBe(200);
      const { security: _, ...unsigned } = seedBody(name);
      expect(JSON.parse(received.body ?? "")).toEqual(unsigned);
      expect(received.binding).toMatchObject({ expiresAt: (seedBody(name).timestamp as number) + 300_000 });
    });
  }

  it("refuses each example with the documentation's own security, made with a secret we do not have", async () => {
    for (const name of seedNames) {
      const original = createProviderRequest({ body: seedCallbacks[name], receivedAt: seedReceivedAt(name) });
      await expect(adapter.receive(original)).rejects.toMatchObject({ code: "invalid_signature", status: 401 });
    }
  });
});
