import { describeStoreFriendTableOrdering } from "@friendhook/testkit";
import { createSqliteStore } from "../src/index";
import { temporaryDirectory } from "./temporary-directory";

describeStoreFriendTableOrdering("SQLite store", { createStore: () => createSqliteStore({ directory: temporaryDirectory() }), runs: 200 });
