import { dirname } from "node:path";
import { describeStoreConformance } from "@friendhook/testkit";
import { createSqliteStore } from "../src/index";
import { temporaryDirectory } from "./temporary-directory";

describeStoreConformance("SQLite store", {
  createStore: () => createSqliteStore({ directory: temporaryDirectory() }),
  reopenStore: (store) => createSqliteStore({ directory: dirname(store.filename) }),
});
