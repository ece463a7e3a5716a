import { PassThrough, Readable } from "node:stream";
import { FriendhookError } from "@friendhook/core";
import { describe, expect, it } from "vitest";
import { readRequestBody } from "../src/node/index";

const limits = { limitBytes: 16, timeoutMs: 5_000 };

async function refusal(promise: Promise<unknown>): Promise<FriendhookError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof FriendhookError)) throw new Error(`expected a FriendhookError, got ${String(error)}`);
  return error;
}

describe("readRequestBody", () => {
  it("returns the bytes exactly as sent, across chunks", async () => {
    const bytes = await readRequestBody(Readable.from([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]), limits);
    expect(Buffer.from(bytes)).toEqual(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"a":1}')]));
  });

  it("refuses with 413 from Content-Length before reading", async () => {
    const stream = new PassThrough();
    const error = await refusal(readRequestBody(stream, { ...limits, contentLength: "17" }));
    expect([error.code, error.status]).toEqual(["body_too_large", 413]);
  });

  it("refuses with 413 while streaming when there is no Content-Length", async () => {
    const error = await refusal(readRequestBody(Readable.from([Buffer.alloc(10), Buffer.alloc(10)]), limits));
    expect(error.code).toBe("body_too_large");
    expect(error.message).toContain("16 bytes");
  });

  it("refuses with 408 when the body does not arrive in time", async () => {
    const stream = new PassThrough();
    stream.write("{");
    const error = await refusal(readRequestBody(stream, { ...limits, timeoutMs: 30 }));
    expect([error.code, error.status]).toEqual(["request_timeout", 408]);
  });

  it("times out each slow read at its own deadline, while reads that finish are not refused", async () => {
    const slowLong = new PassThrough();
    const slowShort = new PassThrough();
    const prompt = new PassThrough();
    const long = refusal(readRequestBody(slowLong, { ...limits, timeoutMs: 80 }));
    const short = refusal(readRequestBody(slowShort, { ...limits, timeoutMs: 20 }));
    const finished = readRequestBody(prompt, limits);
    prompt.end("{}");
    expect(Buffer.from(await finished).toString()).toBe("{}");
    expect((await short).code).toBe("request_timeout");
    expect((await long).message).toContain("80 ms");
  });

  it("refuses with 400 when the client goes away mid-body", async () => {
    const stream = new PassThrough();
    const reading = readRequestBody(stream, limits);
    stream.write("{");
    stream.destroy();
    expect((await refusal(reading)).code).toBe("malformed_body");
  });

  it("says so when another reader already consumed the stream", async () => {
    const stream = Readable.from([Buffer.from("{}")]);
    for await (const _chunk of stream) {
      // consume it, as a body parser would
    }
    expect((await refusal(readRequestBody(stream, limits))).code).toBe("misconfigured");
  });
});
