import { describe, expect, it } from "vitest";
import { deriveEventId } from "../src/index";

const identity = { provider: "easemob", appId: "org#app", type: "friend.added", parts: ["966725899779049516"] };

describe("deriveEventId", () => {
  it("is deterministic and has a fixed shape", () => {
    expect(deriveEventId(identity)).toBe(deriveEventId({ ...identity, parts: ["966725899779049516"] }));
    expect(deriveEventId(identity)).toMatch(/^evt_[0-9a-f]{32}$/);
  });

  it("differs when any part of the identity differs", () => {
    const ids = new Set([
      deriveEventId(identity),
      deriveEventId({ ...identity, provider: "tencent" }),
      deriveEventId({ ...identity, appId: "org#other" }),
      deriveEventId({ ...identity, type: "friend.request.accepted" }),
      deriveEventId({ ...identity, parts: ["966725899779049517"] }),
    ]);
    expect(ids.size).toBe(5);
  });

  it("cannot be made to collide by moving a separator between parts", () => {
    expect(deriveEventId({ ...identity, parts: ["a_b", "c"] })).not.toBe(deriveEventId({ ...identity, parts: ["a", "b_c"] }));
    expect(deriveEventId({ ...identity, parts: ["1", "2"] })).not.toBe(deriveEventId({ ...identity, parts: [1, 2] }));
  });
});
