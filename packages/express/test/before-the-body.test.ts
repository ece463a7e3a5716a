import { connect, type Socket } from "node:net";
import { buildTencentCallback } from "@friendhook/tencent";
import { describe, expect, it } from "vitest";
import { errorCodeOf, eventually, sdkAppId, type Service, send, startService, tencentToken } from "./support";

const command = "Sns.CallbackBlackListAdd";

/** A Tencent callback whose body is padded to exactly `length` bytes, signed with the receiver's token unless told otherwise. */
function paddedCallback(length: number, target: string, { token = tencentToken as string | null, appId = sdkAppId } = {}) {
  const shell = { CallbackCommand: command, PairList: [{ From_Account: "alice", To_Account: target }], RequestId: `upload-${target}`, Padding: "" };
  const padding = "x".repeat(length - Buffer.byteLength(JSON.stringify(shell)));
  const body = Buffer.from(JSON.stringify({ ...shell, Padding: padding }));
  expect(body.byteLength).toBe(length);
  const request = buildTencentCallback({ sdkAppId: appId, command, body, ...(token === null ? {} : { token }) });
  return { path: `/callbacks/tencent?${request.query.toString()}`, body };
}

interface SlowUpload {
  readonly socket: Socket;
  /** Everything the server sent, once it has answered and closed (or the connection ended). */
  readonly answer: Promise<string>;
  /** Whether the server has sent anything yet. */
  answered(): boolean;
  send(bytes: Buffer): void;
}

/** Opens a connection, sends the request head and the first bytes of the body, and then stalls. */
function startSlowUpload(service: Service, path: string, declaredLength: number, firstBytes: Buffer): SlowUpload {
  const { hostname, port } = new URL(service.url);
  const socket = connect(Number(port), hostname);
  let received = "";
  const answer = new Promise<string>((resolve) => {
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
    });
    socket.on("end", () => resolve(received));
    socket.on("close", () => resolve(received));
    // A write after the server closed fails; what matters is what it answered.
    socket.on("error", () => resolve(received));
  });
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declaredLength}\r\n\r\n`,
  );
  socket.write(firstBytes);
  return { socket, answer, answered: () => received.length > 0, send: (bytes) => socket.write(bytes) };
}

const statusLine = (answer: string) => answer.slice(0, answer.indexOf("\r\n"));
const headerOf = (answer: string, name: string) => new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`, "i").exec(answer)?.[1];

describe("refusing before the body is read", () => {
  it("answers a slow 900 KB upload for another SdkAppid at once with 403, without waiting for its body", async () => {
    // The old behaviour waited for the body: this client never sends it, so it would have got 408.
    const service = await startService({ bodyTimeoutMs: 2_000 });
    const forged = paddedCallback(900_000, "victim", { appId: "1400000009" });
    const upload = startSlowUpload(service, forged.path, forged.body.byteLength, forged.body.subarray(0, 1024));
    const answer = await upload.answer;
    expect(statusLine(answer)).toBe("HTTP/1.1 403 Forbidden");
    expect(answer).toContain("app_mismatch");
    expect(headerOf(answer, "connection")).toBe("close");
    expect((await service.read.events()).events).toEqual([]);
  });

  it("answers an upload with a forged or missing Sign at once with 401", async () => {
    const service = await startService({ bodyTimeoutMs: 2_000 });
    for (const token of ["not-the-token", null]) {
      const forged = paddedCallback(500_000, "victim", { token });
      const upload = startSlowUpload(service, forged.path, forged.body.byteLength, forged.body.subarray(0, 1024));
      const answer = await upload.answer;
      expect(statusLine(answer)).toBe("HTTP/1.1 401 Unauthorized");
      expect(answer).toContain(token === null ? "missing_signature" : "invalid_signature");
    }
    expect((await service.read.events()).events).toEqual([]);
  });

  it("still reads a correctly signed slow upload to its end, and stores it", async () => {
    const service = await startService();
    const genuine = paddedCallback(64 * 1024, "mallory");
    const upload = startSlowUpload(service, genuine.path, genuine.body.byteLength, genuine.body.subarray(0, 1024));
    await eventually(() => service.receiver.bodyBudget.bytesInFlight > 0, "the server has read the first bytes");
    expect(upload.answered()).toBe(false);
    upload.send(genuine.body.subarray(1024));
    await eventually(() => upload.answered(), "the server has answered");
    upload.socket.end();
    expect(statusLine(await upload.answer)).toBe("HTTP/1.1 200 OK");
    expect((await service.read.events()).events.map((event) => event.target)).toEqual(["mallory"]);
  });
});

describe("the budget of body bytes in flight", () => {
  it("answers the slow uploads that do not fit 503 receiver_busy at once, and serves again once the others are done", async () => {
    const budget = 64 * 1024;
    const declared = 16 * 1024;
    const sentFirst = 8 * 1024;
    // The admitted uploads stall until the end of the test: their deadline must outlast it, however
    // busy the machine, or they are answered 408 and free the budget in between.
    const service = await startService({ maximumBodyBytesInFlight: budget, bodyLimitBytes: declared, bodyTimeoutMs: 120_000 });
    const { bodyBudget } = service.receiver;

    // Twenty uploads that each send half their body and stall, opened one after the other so that
    // the budget's state is known: each is either holding its bytes or has been answered.
    const uploads = [];
    for (let index = 0; index < 20; index += 1) {
      const callback = paddedCallback(declared, `user-${index}`);
      const before = bodyBudget.bytesInFlight;
      const upload = startSlowUpload(service, callback.path, declared, callback.body.subarray(0, sentFirst));
      await eventually(() => upload.answered() || bodyBudget.bytesInFlight === before + sentFirst, `upload ${index} was taken or answered`);
      uploads.push({ ...upload, rest: callback.body.subarray(sentFirst) });
      expect(bodyBudget.bytesInFlight).toBeLessThanOrEqual(budget);
    }

    // Seven fit (each needs 16 KiB free to start: 64 − 6 × 8 ≥ 16); the thirteen others are refused
    // at once, while their bodies are still incomplete.
    const admitted = uploads.filter((upload) => !upload.answered());
    const refused = uploads.filter((upload) => upload.answered());
    expect(admitted).toHaveLength(7);
    expect(bodyBudget.bytesInFlight).toBe(7 * sentFirst);
    for (const upload of refused) {
      const answer = await upload.answer;
      expect(statusLine(answer)).toBe("HTTP/1.1 503 Service Unavailable");
      expect(answer).toContain("receiver_busy");
      expect(headerOf(answer, "retry-after")).toBe("1");
      expect(headerOf(answer, "connection")).toBe("close");
    }

    // A callback arriving now does not fit either, and is told to retry.
    const late = paddedCallback(12 * 1024, "late");
    const lateRequest = buildTencentCallback({ sdkAppId, token: tencentToken, command, body: late.body });
    const busy = await send(service.url, "/callbacks/tencent", lateRequest);
    expect([busy.status, errorCodeOf(busy), busy.headers.get("retry-after")]).toEqual([503, "receiver_busy", "1"]);

    // The stalled uploads finish, one after the other, and are stored; their bytes are given back.
    for (const upload of admitted) {
      upload.send(upload.rest);
      await eventually(() => upload.answered(), "the finished upload was answered");
      upload.socket.end();
      expect(statusLine(await upload.answer)).toBe("HTTP/1.1 200 OK");
    }
    expect(bodyBudget.bytesInFlight).toBe(0);
    expect((await send(service.url, "/callbacks/tencent", lateRequest)).status).toBe(200);
    const targets = (await service.read.events()).events.map((event) => event.target);
    expect(targets.sort()).toEqual(["late", ...admitted.map((_, index) => `user-${index}`)].sort());
  });

  it("refuses a body limit larger than the receiver's budget at construction", async () => {
    const { createFriendhookMiddleware } = await import("../src/index");
    const service = await startService({ maximumBodyBytesInFlight: 1024, bodyLimitBytes: 1024, start: false });
    expect(() => createFriendhookMiddleware(service.receiver, { adapter: "tencent", bodyLimitBytes: 2048 })).toThrow(/maximumBodyBytesInFlight/);
  });
});
