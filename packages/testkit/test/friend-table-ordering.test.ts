import { createMemoryStore } from "@friendhook/core";
import { describeStoreFriendTableOrdering } from "../src/index";

describeStoreFriendTableOrdering("memory store", { createStore: () => createMemoryStore(), runs: 500 });
