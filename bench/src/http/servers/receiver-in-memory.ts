import { createServer } from "node:http";
import { createFriendhookMiddleware } from "@friendhook/express";
import { createMemoryStore } from "@friendhook/core";
import { createReceiver } from "@friendhook/receiver";
import express from "express";
import { tencentCallbackPath } from "../../payloads/bench-credentials";
import { serveInChild } from "../serve-in-child";
import { benchAdapters } from "./bench-adapters";
import { bodyLimitBytes } from "./tencent-ok-body";

// C: the receiver behind its Express shell, with the in-memory store: friendhook's own cost
// (authentication, normalization, the store contract) without a disk.
await serveInChild(() => {
  const receiver = createReceiver({ adapters: benchAdapters(), store: createMemoryStore() });
  const app = express();
  app.disable("x-powered-by");
  app.post(tencentCallbackPath, createFriendhookMiddleware(receiver, { adapter: "tencent", bodyLimitBytes }));
  return { server: createServer(app), close: () => receiver.close() };
});
