import { createMemoryStore } from "@friendhook/core";
import { describeStoreConformance } from "../src/index";

describeStoreConformance("memory store", { createStore: () => createMemoryStore() });
