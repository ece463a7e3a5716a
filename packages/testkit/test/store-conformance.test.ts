import { createMemoryStore } from "@friendhook/receiver";
import { describeStoreConformance } from "../src/index";

describeStoreConformance("memory store", { createStore: () => createMemoryStore() });
