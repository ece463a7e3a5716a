import { createServer } from "node:http";
import express from "express";
import { tencentCallbackPath } from "../../payloads/bench-credentials";
import { serveInChild } from "../serve-in-child";
import { bodyLimitBytes, tencentOkBody } from "./tencent-ok-body";

// A: what a user writes by hand with Express 5: parse the JSON, store nothing, answer OK.
await serveInChild(() => {
  const app = express();
  app.disable("x-powered-by");
  app.post(tencentCallbackPath, express.json({ limit: bodyLimitBytes }), (request, response) => {
    if (typeof request.body?.CallbackCommand !== "string") {
      response.status(400).json({ ActionStatus: "FAIL", ErrorCode: 1, ErrorInfo: "not a callback" });
      return;
    }
    response.json(tencentOkBody);
  });
  return { server: createServer(app) };
});
