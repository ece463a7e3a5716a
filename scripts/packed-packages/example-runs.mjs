// How the packaging check (scripts/check-packed-packages.mjs) runs each README example marked
// `<!-- checked example: NAME -->`. An example not listed here runs as a script that must exit 0.
//
// - output: texts the example must print (to stdout).
// - env: its environment, beside the check's own.
// - services: what it needs on 127.0.0.1 (postgres, redis, nats). A PostgreSQL example gets a
//   database of its own in DATABASE_URL, dropped afterwards.
// - exclusive: it uses a fixed name on a shared server (a NATS stream), so concurrent checks take turns.
// - server: a server example. It must listen on the port in PORT; the check sends it the callbacks
//   of this exercise (scripts/packed-packages/exercise-server.mjs), then stops it with SIGTERM.
// - route: a route-handler module (a Next.js route.ts): the check imports it and sends the callbacks
//   of this exercise to its exported POST, as Next.js would, with a Request.
// - runner: "vitest" for a test file.
/** The secrets of the examples that take every provider's callbacks (exercise-server.mjs signs with them). */
const webhookSecrets = {
  EASEMOB_CALLBACK_SECRET: "check-easemob-secret",
  TENCENT_CALLBACK_TOKEN: "check-tencent-token",
  OPENIM_WEBHOOK_TOKEN: "check-openim-token",
};

export const exampleRuns = {
  "core-friend-table": {
    output: ["alice → tst01: Hi, this is Alice from the climbing club", "{ friends: [ 'tst01' ], blocked: [] }"],
  },
  "easemob-server": {
    server: "easemob",
    env: { EASEMOB_CALLBACK_SECRETS: "check-secret-one,check-secret-two" },
    output: ["friend.request.accepted bob → alice", "friend.added bob → alice"],
  },
  "easemob-testing": { output: ["[ 'friend.request.accepted bob → alice', 'friend.added bob → alice' ]"] },
  "tencent-server": {
    server: "tencent",
    env: { TENCENT_CALLBACK_TOKEN: "check-tencent-token" },
    output: ["friend.blocked alice → mallory"],
  },
  "tencent-testing": { output: ["[ 'friend.blocked alice → mallory' ]"] },
  "openim-express": {
    server: "openim",
    env: { OPENIM_WEBHOOK_TOKEN: "check-openim-token" },
    output: ["friend.added"],
  },
  "openim-testing": { output: ["[ 'friend.request.accepted', 'friend.added' ]"] },
  receiver: { output: ["200", "{ friends: [ 'bob' ], blocked: [] }", "[ 'friend.added' ]"] },
  "receiver-node-http": { server: "webhooks", env: webhookSecrets, output: ["easemob demo#app friend.added bob", "tencent 1400000000 friend.blocked alice", "openim openim friend.added"] },
  "receiver-hono": { server: "webhooks-and-friends", env: webhookSecrets, output: ["easemob demo#app friend.added bob", "openim openim friend.added"] },
  "receiver-fastify": { server: "webhooks-and-friends", env: webhookSecrets, output: ["easemob demo#app friend.added bob", "openim openim friend.added"] },
  "receiver-nextjs": {
    route: "webhooks",
    env: webhookSecrets,
    output: ["ok: an OpenIM callback at /webhooks/openim/callbackAfterAddFriendAgreeCommand → 200", "ok: a callback for no configured adapter → 404"],
  },
  "express-server": {
    server: "express",
    env: { EASEMOB_CALLBACK_SECRET: "check-easemob-secret", TENCENT_CALLBACK_TOKEN: "check-tencent-token" },
    output: ["friend.added"],
  },
  "sqlite-store": {
    output: [
      "{ journalMode: 'wal', synchronous: 'normal', walFlushed: true }",
      "{ inserted: 1, duplicates: 0, callbackInserted: false }",
      "{ inserted: 0, duplicates: 1, callbackInserted: false }",
      "{ friends: [ 'alice' ], blocked: [] }",
    ],
  },
  "postgres-sink": { services: ["postgres"], output: ["{ friends: [ 'tst01' ], blocked: [] }"] },
  "postgres-store": { services: ["postgres"], output: ["inserted: 1, duplicates: 0", "inserted: 0, duplicates: 1", "{ friends: [ 'alice' ], blocked: [] }"] },
  "redis-sink": { services: ["redis"], output: ["friendhook-example:easemob:demo#app"] },
  "nats-sink": { services: ["nats"], exclusive: true, output: ["friendhook.easemob.friend.added\n1\n"] },
  "http-sink": { output: ["friend.added tst01 → alice"] },
  "testkit-adapter": { runner: "vitest" },
};
