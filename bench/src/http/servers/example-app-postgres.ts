import { TargetUnavailable, serveInChild } from "../serve-in-child";

// E: the example app with the PostgreSQL store, once @friendhook/postgres provides one.
await serveInChild(() => {
  throw new TargetUnavailable("@friendhook/postgres provides no event store (FriendEventStore) yet, and the example app cannot be given one");
});
