import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { buildEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback } from "@friendhook/tencent";
import express from "express";
import { describe, expect, it } from "vitest";
import { easemobSecret, errorCodeOf, fixture, sdkAppId, type SentResponse, type Service, send, startService, tencentToken, baseTimestamp } from "./support";

const signedRemove = () => buildEasemobCallback({ secret: easemobSecret, operation: "remove", from: "alice", to: "bob", timestamp: baseTimestamp });

async function expectNothingStored(service: Service): Promise<void> {
  expect((await service.read.events()).events).toEqual([]);
  expect((await service.read.unrecognized()).callbacks).toEqual([]);
}

function expectRefusal(response: SentResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(errorCodeOf(response)).toBe(code);
}

/** Sends a request by hand over a socket, so that a test controls every byte and pause. */
function rawExchange(url: string, write: (socket: ReturnType<typeof connect>) => void): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => write(socket));
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
    });
    socket.on("end", () => resolve(answer));
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
  });
}

describe("bad input over HTTP: a short JSON error with a stable code, nothing stored", () => {
  it("answers 413 when Content-Length is over the limit", async () => {
    const service = await startService({ bodyLimitBytes: 1024 });
    const request = signedRemove();
    const padded = new TextEncoder().encode(JSON.stringify({ ...JSON.parse(Buffer.from(request.body).toString("utf8")), padding: "x".repeat(2000) }));
    const response = await send(service.url, "/callbacks/easemob", { ...request, body: padded });
    expectRefusal(response, 413, "body_too_large");
    await expectNothingStored(service);
  });

  it("answers 413 while streaming a chunked body with no Content-Length", async () => {
    const service = await startService({ bodyLimitBytes: 1024 });
    const answer = await rawExchange(service.url, (socket) => {
      socket.write("POST /callbacks/easemob HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      const chunk = `{"padding":"${"x".repeat(600)}`;
      for (let index = 0; index < 3; index += 1) socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"code":"body_too_large"');
    await expectNothingStored(service);
  });

  it("answers 415 to a content type that cannot carry JSON, and to a compressed body", async () => {
    const service = await startService();
    for (const headers of [
      { "content-type": "application/x-www-form-urlencoded" },
      { "content-type": "multipart/form-data; boundary=x" },
      { "content-type": "application/json; charset=iso-8859-1" },
      { "content-type": "application/json", "content-encoding": "gzip" },
    ]) {
      const request = signedRemove();
      expectRefusal(await send(service.url, "/callbacks/easemob", { ...request, headers }), 415, "unsupported_media_type");
    }
    await expectNothingStored(service);
  });

  it("accepts application/json with UTF-8, text/plain, and no content type at all", async () => {
    const service = await startService();
    const variants: Array<Record<string, string>> = [{ "content-type": "application/json; charset=UTF-8" }, { "content-type": "text/plain" }, {}];
    for (const headers of variants) {
      const request = buildEasemobCallback({ secret: easemobSecret, operation: "remove", from: "alice", to: "bob" });
      const response = await fetch(`${service.url}/callbacks/easemob`, { method: "POST", headers, body: request.body });
      expect(response.status).toBe(200);
    }
    expect((await service.read.events()).events).toHaveLength(3);
  });

  it("answers 400 to malformed JSON, in Tencent's format for Tencent", async () => {
    const service = await startService();
    const request = buildTencentCallback({ sdkAppId, token: tencentToken, command: "Sns.CallbackFriendAdd", body: '{"CallbackCommand": "Sns.CallbackFriendAdd", "PairList": [' });
    const response = await send(service.url, "/callbacks/tencent", request);
    expectRefusal(response, 400, "malformed_body");
    expect(JSON.parse(response.body)).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 1 });
    await expectNothingStored(service);
  });

  it("answers 401 to a wrong signature and 403 to another app", async () => {
    const service = await startService();
    const forged = buildEasemobCallback({ secret: "not-the-secret", operation: "remove", from: "alice", to: "bob" });
    expectRefusal(await send(service.url, "/callbacks/easemob", forged), 401, "invalid_signature");
    const unsigned = buildTencentCallback({ sdkAppId, command: "Sns.CallbackFriendAdd", body: fixture("seed-003-friend-add.json") });
    expect((await send(service.url, "/callbacks/tencent", unsigned)).status).toBe(401);
    const otherApp = buildTencentCallback({ sdkAppId: "1400000009", token: tencentToken, command: "Sns.CallbackFriendAdd", body: fixture("seed-003-friend-add.json") });
    expectRefusal(await send(service.url, "/callbacks/tencent", otherApp), 403, "app_mismatch");
    await expectNothingStored(service);
  });

  it("answers 405 with Allow: POST to other methods", async () => {
    const service = await startService();
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await send(service.url, "/callbacks/easemob", { ...signedRemove(), method });
      expectRefusal(response, 405, "method_not_allowed");
      expect(response.headers.get("allow")).toBe("POST");
    }
    await expectNothingStored(service);
  });

  it("says what to change when express.json() consumed the body first", async () => {
    const service = await startService({ before: (app) => app.use(express.json()) });
    const response = await send(service.url, "/callbacks/easemob", signedRemove());
    expectRefusal(response, 500, "misconfigured");
    const message = (JSON.parse(response.body) as { error: { message: string } }).error.message;
    expect(message).toContain("before express.json()");
    expect(message).toContain("request.rawBody = buffer");
    await expectNothingStored(service);
  });

  it("uses the raw bytes express.json() kept through verify", async () => {
    const service = await startService({
      before: (app) =>
        app.use(
          express.json({
            verify: (request, _response, buffer) => {
              (request as typeof request & { rawBody?: Buffer }).rawBody = buffer;
            },
          }),
        ),
    });
    const response = await send(service.url, "/callbacks/easemob", signedRemove());
    expect(response.status).toBe(200);
    expect((await service.read.events()).events.map((event) => event.type)).toEqual(["friend.removed"]);
  });

  it("answers 408 to a client that sends its body too slowly, and keeps serving", async () => {
    const service = await startService({ bodyTimeoutMs: 200 });
    const answer = await rawExchange(service.url, (socket) => {
      socket.write("POST /callbacks/easemob HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"chat_type\":");
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"request_timeout"');
    expect((await send(service.url, "/callbacks/easemob", signedRemove())).status).toBe(200);
  });

  it("survives a client that goes away mid-body, and keeps serving", async () => {
    const service = await startService();
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${service.url}/callbacks/easemob`, { method: "POST", headers: { "content-type": "application/json", "content-length": "1000" } });
      request.on("error", () => resolve());
      request.write('{"chat_type":"roster",');
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 50);
    });
    expect((await send(service.url, "/callbacks/easemob", signedRemove())).status).toBe(200);
    expect((await service.read.events()).events).toHaveLength(1);
  });
});
