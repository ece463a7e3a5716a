import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { buildTencentCallback, tencentCallbackBodies } from "@friendhook/tencent";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSimulation } from "../src/simulate/run-simulation";
import { sendCallback } from "../src/simulate/send-callback";
import { simulationSamples } from "../src/simulate/simulation-samples";
import { appDirectory } from "./support/child-process";
import { listenOn } from "@friendhook/testkit/helpers";
import { type RunningApp, bothProviders, request, startApp, testCredentials, waitFor } from "./support/running-app";
import { webhookSecret } from "./support/webhook-recorder";

// The functions given to waitForFunction and evaluate run in the browser: what they use of its DOM,
// declared for this file alone (the DOM library would change the types of the app's own code).
declare const document: {
  querySelectorAll(selector: string): { readonly length: number };
  querySelector(selector: string): { readonly textContent: string | null } | null;
};
declare const sessionStorage: { getItem(key: string): string | null };
declare const localStorage: { readonly length: number };
type ElementWithData = { readonly dataset: Record<string, string | undefined> };

/** Debian's chromium, as `.ci/run` installs it. */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const chromiumArguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
/** Screenshots of every run, as test artifacts (git ignores the directory). */
const artifactDirectory = join(appDirectory, "test-results");
/** With FRIENDHOOK_UPDATE_SCREENSHOTS=1, the screenshots the README shows are written again too. */
const documentationDirectory = join(appDirectory, "docs");
/** A page waits this long for what it should show: generous, for a loaded CI machine. */
const waitMs = 30_000;

const apiToken = "inspector-test-token-7d41c2";
const openImToken = "test-openim-token-51c0e2";
const easemobAppId = testCredentials.easemobAppKey;

/** The HTTP sink's endpoint: refuses every webhook until told to accept them, and records the ids it accepted. */
async function startFlakyEndpoint() {
  let accepting = false;
  const accepted: string[] = [];
  const server = createServer((incoming, response) => {
    incoming.resume();
    incoming.on("end", () => {
      if (accepting) accepted.push(String(incoming.headers["webhook-id"]));
      response.writeHead(accepting ? 204 : 500).end();
    });
  });
  const port = await listenOn(server, 0);
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    accepted,
    accept: () => {
      accepting = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactDirectory, { recursive: true });
  await page.screenshot({ path: join(artifactDirectory, `inspector-${name}.png`), fullPage: true });
  if (process.env.FRIENDHOOK_UPDATE_SCREENSHOTS === "1") {
    // What fits the window: the README shows the view, not every row of it.
    mkdirSync(documentationDirectory, { recursive: true });
    await page.screenshot({ path: join(documentationDirectory, `inspector-${name}.png`) });
  }
}

async function apiGet(app: RunningApp, path: string) {
  const answer = await request(`${app.url}${path}`, { headers: { authorization: `Bearer ${apiToken}` } });
  expect(answer.status, path).toBe(200);
  return answer.body;
}

async function allEvents(app: RunningApp): Promise<Array<{ id: string; type: string; provider: string; appId: string }>> {
  return (await apiGet(app, "/api/events?limit=1000")).events;
}

describe("the inspector, in a real browser", () => {
  let browser: Browser;
  let app: RunningApp;
  let endpoint: Awaited<ReturnType<typeof startFlakyEndpoint>>;
  let page: Page;
  /** Console errors and CSP violations: a page that works must log none. */
  const pageErrors: string[] = [];
  /** While a wrong token is tried, the browser logs the 401 it gets, as it should. */
  let refusalExpected = false;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's chromium package (apt-get install chromium), as .ci/run does.`);
    endpoint = await startFlakyEndpoint();
    app = await startApp(
      {
        ...bothProviders,
        OPENIM_TOKEN: openImToken,
        OPENIM_APP_ID: "openim-test",
        FRIENDHOOK_API_TOKEN: apiToken,
        FRIENDHOOK_SINKS: `console,flaky=${endpoint.url}`,
        FRIENDHOOK_HTTP_SINK_SECRET: webhookSecret,
      },
      // One attempt: the refused webhooks become dead letters at once.
      { maximumAttempts: 1, pollIntervalMs: 50 },
    );
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArguments });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(waitMs);
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      if (refusalExpected && message.text().includes("status of 401")) return;
      pageErrors.push(message.text());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await app?.stop();
    await endpoint?.close();
  });

  it("is a static page under a strict Content-Security-Policy, that asks for the token", async () => {
    const response = await page.goto(`${app.url}/inspector`);
    expect(response?.url()).toBe(`${app.url}/inspector/`);
    const policy = response?.headers()["content-security-policy"] ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain("unsafe-inline");
    // The page holds no data: its JSON comes from /api, which still wants the token.
    expect((await request(`${app.url}/api/delivery`)).status).toBe(401);
    expect((await request(`${app.url}/api/events/stream`)).status).toBe(401);

    refusalExpected = true;
    await page.fill("#token", "not-the-token");
    await page.click("#token-form button");
    await page.waitForSelector("#sign-in-error:has-text('refused')");
    refusalExpected = false;
    await page.fill("#token", apiToken);
    await page.click("#token-form button");
    await page.waitForSelector("#views:not([hidden])");
    expect(await page.evaluate(() => sessionStorage.getItem("friendhook-api-token"))).toBe(apiToken);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it("streams the events as simulate's callbacks arrive", async () => {
    await page.waitForSelector("#stream-status[data-state='live']");
    expect(await page.locator(".event").count()).toBe(0);
    const { samples, leftOut } = simulationSamples(app.configuration);
    expect(leftOut).toEqual([]);
    const summary = await runSimulation(app.url, samples, () => undefined);
    expect(summary.refused).toBe(0);
    const stored = await allEvents(app);
    expect(stored.length).toBeGreaterThan(10);
    // Every stored event reaches the page, which was open before the first was stored.
    await page.waitForFunction((count) => document.querySelectorAll(".event").length === count, stored.length);
    const shown = await page.locator(".event").evaluateAll((nodes) => nodes.map((node) => (node as unknown as ElementWithData).dataset.eventId));
    expect(shown).toEqual(stored.map((event) => event.id).reverse());
    await screenshot(page, "events");
  });

  it("filters the stream by provider, app, user and type", async () => {
    const stored = await allEvents(app);
    const expected = stored.filter((event) => event.provider === "easemob" && event.type === "friend.blocked");
    expect(expected.length).toBeGreaterThan(0);
    await page.fill("#event-filters [name=provider]", "easemob");
    await page.fill("#event-filters [name=appId]", easemobAppId);
    await page.selectOption("#event-filters [name=type]", "friend.blocked");
    await page.click("#event-filters button");
    await page.waitForFunction((count) => document.querySelectorAll(".event").length === count, expected.length);
    expect(await page.locator(".event").evaluateAll((nodes) => nodes.map((node) => (node as unknown as ElementWithData).dataset.type))).toEqual(expected.map(() => "friend.blocked"));

    await page.fill("#event-filters [name=userId]", "erin");
    await page.click("#event-filters button");
    await page.waitForFunction(() => document.querySelectorAll(".event").length === 1);
  });

  it("expands an event to its JSON and the callback it came from", async () => {
    const event = page.locator(".event").first();
    const eventId = await event.getAttribute("data-event-id");
    await event.locator("summary").click();
    await event.locator(".callback .meta").waitFor();
    expect(await event.locator(".expanded .json").first().textContent()).toContain(`"id": "${eventId}"`);
    const callback = await apiGet(app, `/api/events/${eventId}/callback`);
    expect(await event.locator(".callback .meta").textContent()).toContain(callback.callback.id);
    expect(await event.locator(".callback .json").textContent()).toContain('"operation": "ban"');
    await screenshot(page, "event-callback");
  });

  it("shows a user's friends and blocks, and which change of each relation won and why", async () => {
    await page.locator(".event").first().locator("a.user[data-user='alice']").click();
    await page.waitForSelector(".relation");
    const friends = await apiGet(app, `/api/friends?provider=easemob&appId=${encodeURIComponent(easemobAppId)}&userId=alice`);
    expect(await page.locator("#user-friends a.user").allTextContents()).toEqual(friends.friends);
    expect(await page.locator("#user-blocked a.user").allTextContents()).toEqual(friends.blocked);
    expect(friends.blocked).toContain("erin");
    // alice blocked dave, then unblocked: the unblock won, by arrival or by time.
    const block = page.locator(".relation[data-owner='alice'][data-other='dave'][data-relation='blocked']");
    expect(await block.locator("h4 strong").textContent()).toBe("no");
    expect(await block.locator("tr.won td.outcome").textContent()).toBe("won");
    expect(await block.locator("tr.won").count()).toBe(1);
    expect(await block.locator("tr.won td").nth(1).textContent()).toContain("friend.unblocked");
    expect(await block.locator("tr td.reason").allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/first change|Clearly|arrival/)]));
    await screenshot(page, "user");
  });

  it("shows delivery per sink with its chart, and replays a dead letter", async () => {
    await page.click("#views a[data-view='delivery']");
    const flaky = page.locator(".sink[data-sink='flaky']");
    await flaky.waitFor();
    const stored = (await allEvents(app)).length;
    // Every event failed once at the refusing endpoint and is a dead letter; the console took them all.
    await page.waitForFunction(
      (count) => document.querySelector(".sink[data-sink='flaky'] [data-figure='dead-lettered']")?.textContent === String(count),
      stored,
    );
    await page.waitForFunction(
      (count) => document.querySelector(".sink[data-sink='console'] .key.delivered")?.textContent?.includes(`(${count} in the hour)`) === true,
      stored,
    );
    expect(await flaky.locator("[data-figure='failed-attempts']").textContent()).toBe(String(stored));
    expect(await flaky.locator(".key.stored").textContent()).toContain(`(${stored} in the hour)`);
    expect(await flaky.locator("svg path.stored").getAttribute("d")).toMatch(/^M/);
    await page.waitForFunction((count) => document.querySelectorAll("#dead-letters tr.dead-letter").length === count, stored);
    await screenshot(page, "delivery");

    endpoint.accept();
    const first = page.locator("#dead-letters tr.dead-letter").first();
    const deliveryId = await first.getAttribute("data-delivery-id");
    const letters = (await apiGet(app, "/api/dead-letters?limit=1000")).deadLetters as Array<{ deliveryId: string; event: { id: string } }>;
    const eventId = letters.find((letter) => letter.deliveryId === deliveryId)?.event.id;
    await first.locator("button.replay").click();
    await page.waitForSelector("#replay-result:has-text('1 replayed')");
    await page.waitForFunction((id) => document.querySelector(`#dead-letters tr[data-delivery-id='${id}']`) === null, deliveryId);
    expect(await page.locator("#dead-letters tr.dead-letter").count()).toBe(stored - 1);
    // Delivered once replayed: the endpoint got that event (its webhook-id is the event id).
    await page.waitForFunction(
      () => document.querySelector(".sink[data-sink='flaky'] .key.delivered")?.textContent?.includes("(1 in the hour)") === true,
    );
    expect(endpoint.accepted).toEqual([eventId]);

    await page.click("#replay-all");
    await page.waitForSelector(`#replay-result:has-text('${stored - 1} replayed')`);
    await page.waitForSelector("#dead-letters td:has-text('No dead letters.')");
    await page.waitForFunction(
      (count) => document.querySelector(".sink[data-sink='flaky'] .key.delivered")?.textContent?.includes(`(${count} in the hour)`) === true,
      stored,
    );
  });

  it("replays a range of stored events to one sink from its card", async () => {
    const stored = await allEvents(app);
    const delivered = endpoint.accepted.length;
    expect(delivered).toBe(stored.length);
    // The sequences of the second to the fourth event: after the first, up to the fourth's.
    const fromSequence = Number((await apiGet(app, "/api/events?limit=1")).next) + 1;
    const toSequence = Number((await apiGet(app, "/api/events?limit=4")).next);
    const form = page.locator("form[data-replay-sink='flaky']");
    // The form says where a range can end: the last stored event's sequence.
    const lastSequence = (await apiGet(app, "/api/delivery")).lastSequence as number;
    expect(lastSequence).toBe(Number((await apiGet(app, "/api/events?limit=1000")).next));
    expect(await form.locator("[name=toSequence]").getAttribute("placeholder")).toBe(`last: ${lastSequence}`);
    await form.locator("[name=fromSequence]").fill(String(fromSequence));
    await form.locator("[name=toSequence]").fill(String(toSequence));
    await form.locator("button[type=submit]").click();
    await page.waitForSelector(`[data-replay-result='flaky']:has-text('replaying ${fromSequence}–${toSequence}')`);
    // Those three events reach the endpoint once more (the same webhook-id), and only they.
    await page.waitForFunction(
      (count) => document.querySelector(".sink[data-sink='flaky'] .key.delivered")?.textContent?.includes(`(${count} in the hour)`) === true,
      stored.length + 3,
    );
    await waitFor(() => (endpoint.accepted.length === delivered + 3 ? true : undefined), "the replayed webhooks", waitMs);
    expect(endpoint.accepted.slice(delivered).sort()).toEqual(stored.slice(1, 4).map((event) => event.id).sort());
    // The console sink was not part of it.
    expect(await page.locator(".sink[data-sink='console'] .key.delivered").textContent()).toContain(`(${stored.length} in the hour)`);
    await screenshot(page, "replay-range");
  });

  it("lists the unrecognized callbacks with their bodies", async () => {
    await page.click("#views a[data-view='unrecognized']");
    const unrecognized = (await apiGet(app, "/api/unrecognized")).unrecognized as Array<{ id: string; unrecognizedReason: string }>;
    expect(unrecognized.length).toBeGreaterThan(0);
    await page.waitForFunction((count) => document.querySelectorAll("#unrecognized tr.unrecognized").length === count, unrecognized.length);
    expect(await page.locator("#unrecognized tr.unrecognized").evaluateAll((rows) => rows.map((row) => (row as unknown as ElementWithData).dataset.callbackId))).toEqual(
      unrecognized.map((callback) => callback.id),
    );
    const row = page.locator("#unrecognized tr.unrecognized").first();
    await row.locator("summary").click();
    await row.locator(".json").waitFor({ state: "visible" });
    await screenshot(page, "unrecognized");
  });

  it("lists the decisions about friend requests, who made each and why, and filters them by user", async () => {
    // carol blocks alice; then alice asks bob and carol at once, and the block rule refuses carol.
    const tencent = (body: Record<string, unknown>) =>
      sendCallback(app.url, "tencent", buildTencentCallback({ sdkAppId: testCredentials.tencentSdkAppId, token: testCredentials.tencentToken, body }));
    expect((await tencent(tencentCallbackBodies.blackListAdd({ pairs: [{ fromAccount: "carol", toAccount: "alice" }] }))).status).toBe(200);
    const asks = tencentCallbackBodies.prevFriendAdd({ fromAccount: "alice", friendItems: [{ toAccount: "bob", addWording: "Hi Bob" }, { toAccount: "carol" }] });
    expect((await tencent(asks)).status).toBe(200);
    type Decision = { id: string; target: string; allow: boolean; decidedBy: string };
    const decisions = await waitFor(async () => {
      const listed = (await apiGet(app, "/api/decisions?limit=1000")).decisions as Decision[];
      return listed.some((decision) => decision.decidedBy === "block_rule") ? listed : undefined;
    }, "the block rule's decision to be recorded", waitMs);

    await page.click("#views a[data-view='decisions']");
    await page.waitForFunction((count) => document.querySelectorAll("#decisions tr.decision").length === count, decisions.length);
    expect(await page.locator("#decisions tr.decision").evaluateAll((rows) => rows.map((row) => (row as unknown as ElementWithData).dataset.decisionId))).toEqual(
      decisions.map((decision) => decision.id),
    );
    const denied = page.locator(`#decisions tr.decision[data-decision-id='${decisions.find((decision) => !decision.allow)?.id}']`);
    expect(await denied.locator("td.denied").textContent()).toBe("denied");
    expect(await denied.textContent()).toContain("carol has blocked alice");
    expect(await denied.textContent()).toContain("block_rule");
    await screenshot(page, "decisions");

    await page.fill("#decision-filters [name=user]", "carol");
    await page.click("#decision-filters button");
    const carols = (await apiGet(app, "/api/decisions?user=carol")).decisions as Decision[];
    expect(carols.length).toBeLessThan(decisions.length);
    await page.waitForFunction((count) => document.querySelectorAll("#decisions tr.decision").length === count, carols.length);
  });

  it("logged no error and no Content-Security-Policy violation", () => {
    expect(pageErrors).toEqual([]);
  });
});
