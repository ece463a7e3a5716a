import type { ProviderRequest } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { createOpenImAdapter, defaultMaximumEventsPerCallback, openImCallbackBodies, openImCallbackRequest } from "../src/index";
import { ana, ben, openImBodies, operationId } from "./fixtures";
import { refusalOf, refusalThrownBy } from "@friendhook/testkit";

const friendUserIds = (count: number) => Array.from({ length: count }, (_, index) => `user-${index}`);

const importOf = (count: number, token?: string) =>
  openImCallbackRequest({
    body: openImCallbackBodies.afterImportFriends({ ownerUserID: ana, friendUserIDs: friendUserIds(count) }),
    operationId,
    ...(token === undefined ? {} : { token }),
  });

describe("maximumEventsPerCallback", () => {
  it("defaults to 10,000: an import of 10,000 friends is taken, one of 10,001 is refused with too_many_events 413", async () => {
    expect(defaultMaximumEventsPerCallback).toBe(10_000);
    expect((await createOpenImAdapter().receive(importOf(10_000))).events).toHaveLength(10_000);
    const error = await refusalOf(createOpenImAdapter().receive(importOf(10_001)));
    expect(error).toMatchObject({ code: "too_many_events", status: 413, provider: "openim" });
    expect(error.message).toBe(
      "The callbackAfterImportFriendsCommand callback imports 10001 friends, more than maximumEventsPerCallback (10000).",
    );
  });

  it("is configurable, and applies to every command", async () => {
    const adapter = createOpenImAdapter({ maximumEventsPerCallback: 1 });
    const request = (body: string): ProviderRequest => openImCallbackRequest({ body, operationId });
    // An accepted request makes friend.request.accepted and friend.added: two events.
    expect(await refusalOf(adapter.receive(request(openImBodies.afterAddFriendAgree)))).toMatchObject({ code: "too_many_events", status: 413 });
    expect(await refusalOf(adapter.receive(request(openImBodies.afterImportFriends)))).toMatchObject({ code: "too_many_events" });
    for (const name of ["afterAddFriend", "beforeAddFriendAgree", "afterDeleteFriend", "beforeAddBlack", "afterRemoveBlack"] as const) {
      expect((await adapter.receive(request(openImBodies[name]))).events).toHaveLength(1);
    }
    // A callback that makes no event is never refused for its size.
    const bigBeforeImport = openImCallbackBodies.beforeImportFriends({ ownerUserID: ana, friendUserIDs: friendUserIds(3) });
    expect((await adapter.receive(openImCallbackRequest({ body: bigBeforeImport, operationId }))).events).toEqual([]);
  });

  it("counts an import's list before any entry is validated or any event made", async () => {
    const adapter = createOpenImAdapter({ maximumEventsPerCallback: 100 });
    const malformed = { callbackCommand: "callbackAfterImportFriendsCommand", ownerUserID: ben, friendUserIDs: Array.from({ length: 101 }, () => 7) };
    expect(await refusalOf(adapter.receive(openImCallbackRequest({ body: malformed, operationId })))).toMatchObject({ code: "too_many_events" });
    const fewer = { ...malformed, friendUserIDs: malformed.friendUserIDs.slice(0, 100) };
    expect(await refusalOf(adapter.receive(openImCallbackRequest({ body: fewer, operationId })))).toMatchObject({ code: "invalid_payload" });
  });

  it("still authenticates first: a flood without the token is refused for its token, not its size", async () => {
    const adapter = createOpenImAdapter({ token: "openim-webhook-token" });
    expect(await refusalOf(adapter.receive(importOf(10_001)))).toMatchObject({ code: "missing_signature" });
    expect(await refusalOf(adapter.receive(importOf(10_001, "not-the-token")))).toMatchObject({ code: "invalid_signature" });
    expect(await refusalOf(adapter.receive(importOf(10_001, "openim-webhook-token")))).toMatchObject({ code: "too_many_events" });
  });

  it("refuses a setting that is not a positive integer", () => {
    for (const maximumEventsPerCallback of [0, -5, 2.5]) {
      expect(() => createOpenImAdapter({ maximumEventsPerCallback })).toThrow(/maximumEventsPerCallback/);
    }
  });
});

describe("authenticateHead: the checks the method and headers allow, before the body is read", () => {
  const headOf = (request: ProviderRequest) => {
    const { body: _body, ...head } = request;
    return head;
  };
  const signedHead = (token?: string, tokenScheme?: "bearer" | "basic") =>
    headOf(openImCallbackRequest({ body: "", pathCommand: "callbackAfterAddFriendCommand", ...(token ? { token } : {}), ...(tokenScheme ? { tokenScheme } : {}) }));

  it("accepts a head presenting any configured token, as a bearer token or as a Basic password", () => {
    const adapter = createOpenImAdapter({ token: ["old-token", "new-token"] });
    expect(adapter.authenticateHead).toBeTypeOf("function");
    expect(() => adapter.authenticateHead?.(signedHead("new-token"))).not.toThrow();
    expect(() => adapter.authenticateHead?.(signedHead("old-token", "basic"))).not.toThrow();
  });

  it("refuses a missing or wrong token, and another method, as receive would", () => {
    const adapter = createOpenImAdapter({ token: "new-token" });
    expect(refusalThrownBy(() => adapter.authenticateHead?.(signedHead()))).toMatchObject({ code: "missing_signature", status: 401 });
    expect(refusalThrownBy(() => adapter.authenticateHead?.(signedHead("stolen-guess")))).toMatchObject({ code: "invalid_signature", status: 401 });
    expect(refusalThrownBy(() => adapter.authenticateHead?.({ ...signedHead("new-token"), method: "PUT" }))).toMatchObject({ code: "method_not_allowed" });
  });

  it("lets every POST through when no token is configured", () => {
    const adapter = createOpenImAdapter();
    expect(adapter.authenticateHead).toBeTypeOf("function");
    expect(() => adapter.authenticateHead?.(signedHead())).not.toThrow();
  });
});
