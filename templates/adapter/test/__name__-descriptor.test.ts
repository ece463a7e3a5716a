import { describe, expect, it } from "vitest";
import { __nameCamel__Descriptor } from "../src/index";

describe("__nameCamel__Descriptor", () => {
  it("turns the DEMO variables into options whose sample callbacks the adapter accepts, with events", async () => {
    const secret = __nameCamel__Descriptor.variables.__NAME___SECRET.schema.parse(__nameCamel__Descriptor.demo.__NAME___SECRET);
    const appIds = __nameCamel__Descriptor.variables.__NAME___APP_IDS.schema.parse(__nameCamel__Descriptor.demo.__NAME___APP_IDS);
    const { options, problems } = __nameCamel__Descriptor.configure({ __NAME___SECRET: secret, __NAME___APP_IDS: appIds });
    expect(problems).toBeUndefined();
    if (!options) throw new Error("the DEMO variables made no options");
    const adapter = __nameCamel__Descriptor.createAdapter(options);
    const story = __nameCamel__Descriptor.sampleCallbacks(options);
    expect(story.callbacks.length).toBeGreaterThan(0);
    for (const callback of story.callbacks) {
      const received = await adapter.receive(callback.request);
      expect(received.appId).toBe(story.appId);
      // Each callback makes events, or is one the adapter acknowledges without mapping it.
      expect(received.events.length > 0 || received.unrecognized !== undefined).toBe(true);
    }
    expect(story.callbacks.map((callback) => callback.label)).toContain("friend_nickname_changed");
    expect(JSON.stringify(__nameCamel__Descriptor.describe(options))).not.toContain(secret[0]);
  });

  it("says what is missing when an option is set without the secret", () => {
    expect(__nameCamel__Descriptor.configure({ __NAME___MAXIMUM_EVENTS_PER_CALLBACK: 5 }).problems).toEqual([
      "__NAME___SECRET: is required when __NAME___MAXIMUM_EVENTS_PER_CALLBACK is set",
    ]);
  });
});
