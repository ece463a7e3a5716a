import { FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createOpenImAdapter, type OpenImAdapterOptions, openImCallbackRequest } from "../src/index";
import { openImBodies, operationId } from "./fixtures";
import { refusalThrownBy } from "@friendhook/testkit";

const constructionError = (options: unknown) => refusalThrownBy(() => createOpenImAdapter(options as OpenImAdapterOptions));

describe("OpenIM adapter options", () => {
  it("works with no options at all, under the app id openim", async () => {
    const received = await createOpenImAdapter().receive(openImCallbackRequest({ body: openImBodies.afterAddFriend, operationId }));
    expect(received.appId).toBe("openim");
  });

  it("refuses a mistyped option at construction, naming it", () => {
    const error = constructionError({ tokens: "secret-token" });
    expect(error.code).toBe("misconfigured");
    expect(error.message).toContain("tokens");
  });

  it.each([
    ["an empty app id", { appId: "" }, "appId"],
    ["a token with surrounding whitespace", { token: "secret-token\n" }, "whitespace"],
    ["an empty token list", { token: [] }, "at least one token"],
    ["a policy that is not a function", { decide: { allow: true } }, "decide must be a function"],
    ["a deadline that is not a positive integer", { decisionDeadlineMs: 0 }, "decisionDeadlineMs"],
    ["a denial code of 0, which OpenIM reads as success", { denialErrorCode: 0 }, "denialErrorCode"],
  ])("refuses %s", (_name, options, fragment) => {
    expect(constructionError(options).message).toContain(fragment);
  });

  it("never puts a token into an error message", () => {
    const token = "very-secret-openim-token ";
    expect(constructionError({ token }).message).not.toContain("very-secret");
  });

  it("accepts several tokens while one is rotated", async () => {
    const adapter = createOpenImAdapter({ token: ["old-token-123", "new-token-456"] });
    for (const token of ["old-token-123", "new-token-456"]) {
      const received = await adapter.receive(openImCallbackRequest({ body: openImBodies.afterAddFriend, operationId, token }));
      expect(received.events).toHaveLength(1);
    }
  });

  it("does not echo a presented token in the refusal", async () => {
    const adapter = createOpenImAdapter({ token: "the-real-token" });
    const attempt = adapter.receive(openImCallbackRequest({ body: openImBodies.afterAddFriend, operationId, token: "guessed-token-value" }));
    const error = await attempt.then(
      () => undefined,
      (caught: unknown) => caught as FriendhookError,
    );
    expect(error?.code).toBe("invalid_signature");
    expect(error?.message).not.toContain("guessed-token-value");
    expect(error?.message).not.toContain("the-real-token");
  });
});
