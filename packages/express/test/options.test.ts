import { FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createFriendhookMiddleware } from "../src/index";
import { startService } from "./support";

describe("createFriendhookMiddleware options", () => {
  it("refuses an adapter the receiver does not have, naming the ones it has", async () => {
    const { receiver } = await startService({ start: false });
    expect(() => createFriendhookMiddleware(receiver, { adapter: "openim" })).toThrow(/no adapter named "openim" \(configured: easemob, tencent\)/);
  });

  it("refuses mistyped options at construction", async () => {
    const { receiver } = await startService({ start: false });
    expect(() => createFriendhookMiddleware(receiver, { adapter: "easemob", bodyLimit: 10 } as never)).toThrow(FriendhookError);
    expect(() => createFriendhookMiddleware(receiver, { adapter: "easemob", bodyLimit: 10 } as never)).toThrow(/bodyLimit/);
    expect(() => createFriendhookMiddleware(receiver, { adapter: "easemob", bodyLimitBytes: 0 })).toThrow(/bodyLimitBytes/);
  });
});
