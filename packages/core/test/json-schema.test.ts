import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { friendEventJsonSchema, friendEventTypes } from "../src/index";

describe("the published JSON Schema", () => {
  it("is current with the zod model (run `pnpm --filter @friendhook/core generate:json-schema` when it is not)", () => {
    const committed = JSON.parse(readFileSync(new URL("../friend-event.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(friendEventJsonSchema());
  });

  it("describes one branch per event type", () => {
    const schema = friendEventJsonSchema() as { oneOf: Array<{ properties: { type: { const: string } } }> };
    expect(schema.oneOf.map((branch) => branch.properties.type.const)).toEqual([...friendEventTypes]);
  });
});
