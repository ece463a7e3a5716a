import { createServer } from "node:http";
import { tencentCallbackPath } from "../../payloads/bench-credentials";
import { serveInChild } from "../serve-in-child";
import { bodyLimitBytes, tencentOkBody } from "./tencent-ok-body";

const okBody = JSON.stringify(tencentOkBody);

// B: the limit: node:http alone reads the body, parses it as JSON and answers OK.
await serveInChild(() => {
  const server = createServer((request, response) => {
    if (request.method !== "POST" || !request.url?.startsWith(tencentCallbackPath)) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    request.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length <= bodyLimitBytes) chunks.push(chunk);
    });
    request.on("end", () => {
      let parsed: unknown;
      try {
        parsed = length <= bodyLimitBytes ? JSON.parse(Buffer.concat(chunks, length).toString("utf8")) : undefined;
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined || typeof (parsed as { CallbackCommand?: unknown }).CallbackCommand !== "string") {
        response.writeHead(400, { "content-type": "application/json" }).end('{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":"not a callback"}');
        return;
      }
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(okBody);
    });
  });
  return { server };
});
