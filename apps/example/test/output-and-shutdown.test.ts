import { type Server, createServer } from "node:http";
import { connect } from "node:net";
import { createConsoleSink, formatFriendEventLine } from "@friendhook/core";
import { buildTencentCallback, createTencentAdapter } from "@friendhook/tencent";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfiguration } from "../src/config/configuration";
import { ConfigurationError } from "../src/config/configuration-error";
import { createLogger, logDestination } from "../src/logger";
import { createMetrics } from "../src/metrics";
import { countOpenRequests, listen, localUrlOf } from "../src/serve";
import { shutDown } from "../src/shutdown";
import { consoleLineWriter } from "../src/sinks-from-config";
import type { DropReason, StandardOutput } from "../src/standard-output";
import { type RunningApp, startApp, testCredentials, waitFor } from "./support/running-app";

const easemobOnly = { EASEMOB_SECRET: "rule-secret" };

/** A standard output whose reader is as the test says: it keeps what it takes. */
function outputThat(answer: () => DropReason | undefined): StandardOutput & { readonly written: string[] } {
  const written: string[] = [];
  return {
    written,
    write(lines) {
      const dropped = answer();
      if (dropped === undefined) written.push(lines);
      return dropped;
    },
    end: async () => true,
  };
}

function problemsOf(variables: Record<string, string>): readonly string[] {
  try {
    parseConfiguration({ ...easemobOnly, ...variables }, "/srv/friendhook");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error("the configuration was accepted");
}

describe("FRIENDHOOK_SHUTDOWN_TIMEOUT_MS and FRIENDHOOK_OUTPUT_BUFFER", () => {
  it("are absent unless set (main applies 10 s and 1 MiB), and read when set", () => {
    const defaults = parseConfiguration(easemobOnly, "/");
    expect(defaults.shutdownTimeoutMs).toBeUndefined();
    expect(defaults.outputBufferBytes).toBeUndefined();
    const given = parseConfiguration({ ...easemobOnly, FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: "25000", FRIENDHOOK_OUTPUT_BUFFER: "4mb" }, "/");
    expect(given).toMatchObject({ shutdownTimeoutMs: 25_000, outputBufferBytes: 4 * 1024 * 1024 });
  });

  it.each([
    [{ FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: "10s" }, 'FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: must be a whole number of milliseconds from 1000 to 600000 (got "10s")'],
    [{ FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: "999" }, 'FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: must be a whole number of milliseconds from 1000 to 600000 (got "999")'],
    [{ FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: "600001" }, 'FRIENDHOOK_SHUTDOWN_TIMEOUT_MS: must be a whole number of milliseconds from 1000 to 600000 (got "600001")'],
    [{ FRIENDHOOK_OUTPUT_BUFFER: "8kb" }, 'FRIENDHOOK_OUTPUT_BUFFER: must be at least 16kb (got "8kb")'],
    [{ FRIENDHOOK_OUTPUT_BUFFER: "lots" }, 'FRIENDHOOK_OUTPUT_BUFFER: must be a size such as 1mb, 512kb or a number of bytes (got "lots")'],
  ])("refuses %j", (variables, message) => {
    expect(problemsOf(variables)).toEqual([message]);
  });
});

describe("the log's destination", () => {
  it("counts the lines the output dropped, by reason, and never throws", () => {
    const answers: Array<DropReason | undefined> = [undefined, "buffer_full", "buffer_full", undefined, "output_closed"];
    const output = outputThat(() => answers.shift());
    const destination = logDestination(output, { pretty: false });
    const logger = createLogger({ level: "info", pretty: false, destination });
    for (let entry = 0; entry < 5; entry += 1) logger.info({ entry }, "an entry");
    expect(output.written.map((line) => JSON.parse(line).entry)).toEqual([0, 3]);
    expect(destination.droppedLines()).toEqual({ buffer_full: 2, output_closed: 1 });
  });

  it("pretty-prints one line per entry outside production", () => {
    const output = outputThat(() => undefined);
    const logger = createLogger({ level: "info", pretty: true, destination: logDestination(output, { pretty: true }) });
    logger.info({ sink: "console" }, "delivered");
    expect(output.written).toHaveLength(1);
    expect(output.written[0]).toMatch(/INFO.*delivered.*"sink":"console"/);
    expect(output.written[0]).toMatch(/\n$/);
  });

  it("shows the dropped lines in /metrics as friendhook_log_lines_dropped_total", async () => {
    const metrics = createMetrics();
    metrics.watchDroppedLogLines(() => ({ buffer_full: 7, output_closed: 2 }));
    const text = await metrics.registry.metrics();
    expect(text).toContain('friendhook_log_lines_dropped_total{reason="buffer_full"} 7');
    expect(text).toContain('friendhook_log_lines_dropped_total{reason="output_closed"} 2');
  });
});

describe("the console sink on the app's standard output", () => {
  it("fails a delivery whose line was dropped, so that the receiver retries it, and prints it once the output takes it", async () => {
    let reason: DropReason | undefined = "buffer_full";
    const output = outputThat(() => reason);
    const sink = createConsoleSink({ write: consoleLineWriter(output) });
    const callback = buildTencentCallback({
      sdkAppId: testCredentials.tencentSdkAppId,
      command: "Sns.CallbackFriendAdd",
      body: { CallbackCommand: "Sns.CallbackFriendAdd", PairList: [{ From_Account: "alice", To_Account: "bob" }] },
    });
    const [event] = (await createTencentAdapter({ sdkAppIds: [testCredentials.tencentSdkAppId] }).receive(callback)).events;
    if (event === undefined) throw new Error("the callback yielded no event");

    await expect(sink.deliver([event])).rejects.toThrow("Standard output is not read fast enough: its buffer is full.");
    reason = "output_closed";
    await expect(sink.deliver([event])).rejects.toThrow("Standard output is closed: its reader has gone.");
    reason = undefined;
    await sink.deliver([event]);
    expect(output.written).toEqual([`${formatFriendEventLine(event)}\n`]);
  });
});

describe("shutDown", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  it("ends within its timeout when a request and closing the app cannot finish, and logs what it abandoned", async () => {
    const entries: Array<Record<string, unknown>> = [];
    const logger = pino({ level: "info" }, { write: (line: string) => entries.push(JSON.parse(line)) });
    // A request that is never answered, and an app whose close never ends.
    server = await listen(createServer(() => undefined), 0, "127.0.0.1");
    const openRequests = countOpenRequests(server);
    const url = new URL(localUrlOf(server));
    const client = connect({ host: url.hostname, port: Number(url.port) });
    client.on("error", () => undefined);
    client.write(`GET /slow HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    await waitFor(() => (openRequests() === 1 ? true : undefined), "the request to be in flight");

    const outcome = await shutDown({
      server,
      closeApp: () => new Promise(() => undefined),
      logger,
      // The request is cut at half of it; the rest leaves its connection's close well the time to be
      // seen before the final log, however busy the machine.
      timeoutMs: 4000,
      openRequests,
      pendingDeliveries: async () => [{ sink: "http", pending: 3, deadLettered: 0 }],
    });

    expect(outcome).toEqual({ completed: false });
    expect(entries.find((entry) => String(entry.msg).startsWith("requests still in flight"))).toMatchObject({ level: 40, openRequests: 1 });
    expect(entries.find((entry) => String(entry.msg).startsWith("the shutdown timeout ran out"))).toMatchObject({
      level: 50,
      openRequests: 0,
      pendingDeliveries: { http: 3 },
    });
    client.destroy();
  });

  it("completes when the requests finish and the app closes in time", async () => {
    const entries: string[] = [];
    const running: RunningApp = await startApp(easemobOnly);
    const logger = pino({ level: "info" }, { write: (line: string) => entries.push(line) });
    const outcome = await shutDown({ server: running.server, closeApp: running.application.close, logger, timeoutMs: 10_000 });
    expect(outcome).toEqual({ completed: true });
    expect(entries).toEqual([]);
    await running.stop();
  });
});
