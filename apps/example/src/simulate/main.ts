import { parseArgs } from "node:util";
import { ConfigurationError } from "../config/configuration-error";
import { loadConfiguration } from "../config/load-configuration";
import { runSimulation } from "./run-simulation";
import { UnreachableError } from "./send-callback";
import { simulationSamples } from "./simulation-samples";

const usage = `Usage: pnpm simulate [--url http://host:port]

Sends correctly signed sample callbacks of every kind, from every configured provider (Easemob,
Tencent IM, OpenIM), to a running friendhook app, with the credentials of its configuration (the
environment and .env, as the app reads them; outside production, when neither configures a
provider, the DEMO credentials, as \`pnpm start\` uses them). The URL is
http://127.0.0.1:$PORT by default (PORT: 3000).`;

const print = (line: string) => process.stdout.write(`${line}\n`);

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n`);
  process.exit(1);
}

function readArguments(): { url: string | undefined } {
  try {
    const { values } = parseArgs({ options: { url: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true });
    if (values.help) {
      print(usage);
      process.exit(0);
    }
    return { url: values.url };
  } catch (error) {
    fail(`${(error as Error).message}\n\n${usage}`);
  }
}

function baseUrlOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail(`--url: "${url}" is not a URL; for example --url http://127.0.0.1:3000`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") fail(`--url: use an http:// or https:// URL (got "${url}")`);
  return parsed.origin;
}

async function main(): Promise<void> {
  const commandLine = readArguments();
  let configuration: ReturnType<typeof loadConfiguration>["configuration"];
  try {
    ({ configuration } = loadConfiguration(process.cwd(), process.env, "outside-production"));
  } catch (error) {
    if (error instanceof ConfigurationError) fail(`the app's configuration is needed to sign the callbacks. ${error.message}`);
    throw error;
  }
  const baseUrl = baseUrlOf(commandLine.url ?? `http://127.0.0.1:${configuration.port}`);
  const { samples, appIds, leftOut } = simulationSamples(configuration);
  print(`Sending ${samples.length} signed sample callbacks to ${baseUrl}`);
  for (const descriptor of leftOut) print(`(${descriptor.title} is not configured (${descriptor.turnedOnBy}): its samples are left out.)`);

  let summary: Awaited<ReturnType<typeof runSimulation>>;
  try {
    summary = await runSimulation(baseUrl, samples, print);
  } catch (error) {
    if (error instanceof UnreachableError) fail(`${error.message}. Is the app running? Start it with \`pnpm start\`, or pass --url.`);
    throw error;
  }

  print(`\n${summary.sent} sent, ${summary.acknowledged} acknowledged, ${summary.refused} refused.`);
  print("\nSee what was stored:");
  const { api, metricsTokens } = configuration;
  // The token itself is never printed: the command names the variable that holds it.
  const apiCurl = api?.tokens ? `curl -H "Authorization: Bearer $FRIENDHOOK_API_TOKEN"` : "curl";
  if (api) {
    print(`  ${apiCurl} ${baseUrl}/api/events`);
    for (const [provider, appId] of Object.entries(appIds)) {
      print(`  ${apiCurl} '${baseUrl}/api/friends?provider=${provider}&appId=${encodeURIComponent(appId)}&userId=alice'`);
    }
    print(`  ${apiCurl} ${baseUrl}/api/unrecognized`);
  } else {
    print("  (the read API is off: FRIENDHOOK_API=off)");
  }
  print(`  ${metricsTokens ? `curl -H "Authorization: Bearer $FRIENDHOOK_METRICS_TOKEN"` : "curl"} ${baseUrl}/metrics`);
  if (summary.refused > 0) process.exitCode = 1;
}

await main();
