// A process that appends to a store and closes it, with nothing else to keep it running: it must
// then exit by itself, with code 0 (an await that never settles would end it with code 13).
import { buildFriendEvents } from "@friendhook/testkit";
import { createSqliteStore } from "../../src/index";

const store = createSqliteStore({ directory: process.argv[2] ?? "" });
await store.append({ events: buildFriendEvents(10), sinks: ["primary"] });
await store.close();
process.stdout.write("closed\n");
