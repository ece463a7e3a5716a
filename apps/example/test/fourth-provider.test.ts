import { resolve } from "node:path";
import {
  FriendhookError,
  type ProviderAdapterV1,
  type SampleCallback,
  constantTimeEqualAny,
  createProviderRequest,
  defineProviderDescriptor,
  deriveEventId,
  readJsonBody,
  secretListVariable,
  sha256Hex,
} from "@friendhook/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type Configuration, describeConfiguration, parseConfiguration, usesDemoCredentials } from "../src/config/configuration";
import { ConfigurationError } from "../src/config/configuration-error";
import { loadConfiguration } from "../src/config/load-configuration";
import { createLogger } from "../src/logger";
import { providers } from "../src/providers";
import { runSimulation } from "../src/simulate/run-simulation";
import { simulationSamples } from "../src/simulate/simulation-samples";
import { type RunningApp, request, startApp } from "./support/running-app";

/**
 * A provider the app does not ship, added as an application would add one: its adapter, its
 * descriptor, and the app's list of providers with one more entry. "Acme Chat" posts
 * `{"app","from","to","id","at"}` with `?signature=sha256_hex(secret + body)`.
 */
function createAcmeAdapter(options: AcmeOptions): ProviderAdapterV1 {
  return {
    specificationVersion: "v1",
    provider: "acme",
    async receive(request) {
      const signature = request.query.get("signature");
      if (!signature) throw new FriendhookError("missing_signature", "The signature parameter is missing.", { provider: "acme" });
      const text = new TextDecoder().decode(request.body);
      if (!constantTimeEqualAny(signature, options.secrets.map((secret) => sha256Hex(secret + text)))) {
        throw new FriendhookError("invalid_signature", "The signature does not match the body.", { provider: "acme" });
      }
      const { app, from, to, id, at } = readJsonBody(request.body, "acme");
      if (app !== options.appId) throw new FriendhookError("app_mismatch", "The callback is for another app.", { provider: "acme" });
      if (typeof from !== "string" || typeof to !== "string" || typeof id !== "string" || typeof at !== "number") {
        throw new FriendhookError("invalid_payload", "The body needs string from, to and id, and a numeric at.", { provider: "acme" });
      }
      const event = {
        id: deriveEventId({ provider: "acme", appId: app, type: "friend.added", parts: [id] }),
        type: "friend.added" as const,
        provider: "acme",
        appId: app,
        actor: from,
        target: to,
        mutual: true,
        occurredAt: new Date(at).toISOString(),
        occurredAtSource: "provider-milliseconds" as const,
        receivedAt: request.receivedAt.toISOString(),
        source: { command: "friend_added", messageId: id },
        details: {},
      };
      return { provider: "acme", appId: app, command: "friend_added", events: [event], acknowledgement: { status: 200, headers: {}, body: "" } };
    },
    refuse(error) {
      return { status: error.status, headers: { "content-type": "application/json" }, body: JSON.stringify(error) };
    },
  };
}

interface AcmeOptions {
  readonly secrets: readonly string[];
  readonly appId: string;
}

/** What the adapter package would export beside the adapter: Acme's signed-callback builder. */
function buildAcmeCallback(secret: string, body: { app: string; from: string; to: string; id: string; at: number }) {
  const text = JSON.stringify(body);
  return createProviderRequest({ body: text, query: { signature: sha256Hex(secret + text) } });
}

const acmeDescriptor = defineProviderDescriptor({
  name: "acme",
  title: "Acme Chat",
  turnedOnBy: "ACME_SECRET",
  variables: {
    ACME_SECRET: { schema: secretListVariable(), secret: true },
    ACME_APP_ID: { schema: z.string().regex(/^\S+$/, "must not contain whitespace") },
  },
  signatureFields: ["signature"],
  demo: { ACME_SECRET: "demo-acme-secret-DEMO-ONLY" },
  configure(values) {
    if (values.ACME_SECRET === undefined) {
      return { problems: values.ACME_APP_ID === undefined ? [] : ["ACME_SECRET: is required when ACME_APP_ID is set"] };
    }
    return { options: { secrets: values.ACME_SECRET, appId: values.ACME_APP_ID ?? "acme-app" } };
  },
  createAdapter: (options: AcmeOptions) => createAcmeAdapter(options),
  describe: (options) => ({ secretCount: options.secrets.length, appId: options.appId }),
  sampleCallbacks: (options) => {
    const at = Date.now();
    const sample = (description: string, from: string, to: string, id: string): SampleCallback => ({
      label: "friend_added",
      description,
      request: buildAcmeCallback(options.secrets[0] ?? "", { app: options.appId, from, to, id: `${at}-${id}`, at }),
    });
    return { appId: options.appId, callbacks: [sample("alice and bob are friends", "alice", "bob", "1"), sample("alice and carol are friends", "alice", "carol", "2")] };
  },
});

/** The extension point: the app's list, plus one line. */
const offered = [...providers, acmeDescriptor];

const acmeSecret = "acme-secret-5d8e1b";
const rotatedAcmeSecret = "acme-secret-rotated-2c7f";

function problemsOf(variables: Record<string, string>): readonly string[] {
  try {
    parseConfiguration(variables, "/", offered);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error("the configuration was accepted");
}

describe("a fourth provider, added to the list of providers", () => {
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it("is configured from its own variables, each bad value refused in one line naming it", () => {
    const configuration: Configuration = parseConfiguration({ ACME_SECRET: `${acmeSecret}, ${rotatedAcmeSecret}`, ACME_APP_ID: "acme-production" }, "/", offered);
    expect(configuration.providerOptions).toEqual({ acme: { secrets: [acmeSecret, rotatedAcmeSecret], appId: "acme-production" } });
    expect(problemsOf({ ACME_SECRET: "one,,three" })).toEqual(["ACME_SECRET: entry 2 of the comma-separated list is empty"]);
    expect(problemsOf({ ACME_SECRET: acmeSecret, ACME_APP_ID: "two words" })).toEqual(["ACME_APP_ID: must not contain whitespace"]);
    expect(problemsOf({ ACME_APP_ID: "acme-production" })).toEqual(["ACME_SECRET: is required when ACME_APP_ID is set"]);
    const [noProvider] = problemsOf({});
    expect(noProvider).toContain("OPENIM_ENABLED=true (OpenIM), ACME_SECRET (Acme Chat), or several");
  });

  it("is never shown with its secret: not in the start-up description, not in a log entry", () => {
    const configuration = parseConfiguration({ ACME_SECRET: acmeSecret }, "/", offered);
    const description = describeConfiguration(configuration);
    expect(description).toMatchObject({ acme: { secretCount: 1, appId: "acme-app" }, easemob: "not configured" });
    expect(JSON.stringify(description)).not.toContain(acmeSecret);

    const lines: string[] = [];
    const logger = createLogger({ level: "info", pretty: false, destination: { write: (line: string) => lines.push(line) }, providers: offered });
    logger.info({ ACME_SECRET: acmeSecret, environment: { ACME_SECRET: acmeSecret }, request: { query: { signature: "a1b2c3d4e5f6" } } }, "careless");
    logger.info({ configuration }, "more careless");
    expect(lines).toHaveLength(2);
    expect(lines.join("\n")).not.toMatch(new RegExp(`${acmeSecret}|a1b2c3d4e5f6`));
    expect(lines[0]).toContain('"ACME_SECRET":"[redacted]"');
  });

  it("takes part in the DEMO start, and production refuses its DEMO credential", () => {
    const appDirectory = resolve(import.meta.dirname, "..");
    const demo = loadConfiguration(appDirectory, {}, "requested", offered).configuration;
    expect(Object.keys(demo.providerOptions)).toEqual(["easemob", "tencent", "openim", "acme"]);
    expect(demo.providerOptions.acme).toEqual({ secrets: ["demo-acme-secret-DEMO-ONLY"], appId: "acme-app" });
    expect(usesDemoCredentials(parseConfiguration({ ACME_SECRET: `${acmeSecret},demo-acme-secret-DEMO-ONLY` }, "/", offered))).toBe(true);
    expect(problemsOf({ NODE_ENV: "production", FRIENDHOOK_API: "off", ACME_SECRET: "demo-acme-secret-DEMO-ONLY" })).toEqual([
      "ACME_SECRET: holds the public DEMO credential of Acme Chat (what --demo uses), which production refuses; set your own",
    ]);
  });

  it("receives its simulated callbacks end to end, and refuses a forged one", async () => {
    app = await startApp({ ACME_SECRET: acmeSecret, ACME_APP_ID: "acme-production" }, undefined, offered);
    const { samples, appIds, leftOut } = simulationSamples(app.configuration);
    expect(appIds).toEqual({ acme: "acme-production" });
    expect(leftOut.map((descriptor) => descriptor.name)).toEqual(["easemob", "tencent", "openim"]);
    const printed: string[] = [];
    const summary = await runSimulation(app.url, samples, (line) => printed.push(line));
    expect(summary).toEqual({ sent: 2, acknowledged: 2, refused: 0 });
    expect(printed).toContain("\nPOST /webhooks/acme");

    const friends = await request(`${app.url}/api/friends?provider=acme&appId=acme-production&userId=alice`);
    expect(friends.body).toEqual({ friends: ["bob", "carol"], blocked: [] });

    const forged = buildAcmeCallback("not-the-secret", { app: "acme-production", from: "mallory", to: "alice", id: "forged", at: Date.now() });
    const answer = await request(`${app.url}/webhooks/acme?${forged.query}`, { method: "POST", headers: { "content-type": "application/json" }, body: forged.body });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe("invalid_signature");

    // A provider offered but not configured answers as the shipped ones do.
    const easemob = await request(`${app.url}/webhooks/easemob`, { method: "POST", body: "{}" });
    expect(easemob.status).toBe(503);
    expect(easemob.body.error.code).toBe("provider_not_configured");
    expect(app.logLines.join("\n")).not.toContain(acmeSecret);
  });

  it("answers provider_not_configured, naming its variable, until it is configured", async () => {
    app = await startApp({ EASEMOB_SECRET: "easemob-secret-7a1f" }, undefined, offered);
    const answer = await request(`${app.url}/webhooks/acme`, { method: "POST", body: "{}" });
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: "provider_not_configured", message: "Acme Chat callbacks are not configured on this receiver; set ACME_SECRET." });
  });
});
