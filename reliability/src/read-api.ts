import type { FriendEvent } from "@friendhook/core";
import { getJson, sendRaw } from "./http-client";

interface EventPage {
  readonly events: FriendEvent[];
  readonly next: string | null;
}

/** Every stored event, in stored order, paging through `GET /api/events`. */
export async function readAllEvents(baseUrl: string): Promise<FriendEvent[]> {
  const events: FriendEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const query: string = after === null ? "limit=1000" : `limit=1000&after=${encodeURIComponent(after)}`;
    const page: EventPage = await getJson<EventPage>(baseUrl, `/api/events?${query}`);
    events.push(...page.events);
    if (page.events.length === 0 || page.next === null) return events;
    after = page.next;
  }
}

/** Every callback kept as unrecognized (authenticated, acknowledged, mapped to no event), paging through `GET /api/unrecognized`. */
export async function readAllUnrecognized(baseUrl: string): Promise<Array<{ readonly id: string; readonly provider: string; readonly command: string }>> {
  const callbacks: Array<{ id: string; provider: string; command: string }> = [];
  let after: string | null = null;
  for (;;) {
    const query: string = after === null ? "limit=1000" : `limit=1000&after=${encodeURIComponent(after)}`;
    const page: { unrecognized: Array<{ id: string; provider: string; command: string }>; next: string | null } = await getJson(baseUrl, `/api/unrecognized?${query}`);
    callbacks.push(...page.unrecognized);
    if (page.unrecognized.length === 0 || page.next === null) return callbacks;
    after = page.next;
  }
}

export interface FriendList {
  readonly friends: string[];
  readonly blocked: string[];
}

/** `GET /api/friends`: whom `userId` counts as friends and whom they block. */
export function readFriends(baseUrl: string, provider: string, appId: string, userId: string): Promise<FriendList> {
  const query = new URLSearchParams({ provider, appId, userId });
  return getJson<FriendList>(baseUrl, `/api/friends?${query.toString()}`);
}

export interface DeadLetterView {
  readonly deliveryId: string;
  readonly sink: string;
  readonly event: FriendEvent;
  readonly attempts: number;
  readonly lastError: string;
}

/** Every dead letter, paging through `GET /api/dead-letters`. */
export async function readAllDeadLetters(baseUrl: string): Promise<DeadLetterView[]> {
  const deadLetters: DeadLetterView[] = [];
  let after: string | null = null;
  for (;;) {
    const query: string = after === null ? "limit=1000" : `limit=1000&after=${encodeURIComponent(after)}`;
    const page: { deadLetters: DeadLetterView[]; next: string | null } = await getJson(baseUrl, `/api/dead-letters?${query}`);
    deadLetters.push(...page.deadLetters);
    if (page.deadLetters.length === 0 || page.next === null) return deadLetters;
    after = page.next;
  }
}

/** One sample of a Prometheus text exposition, by metric name and label set (`name{a="b"}`). */
export async function readMetrics(baseUrl: string): Promise<Map<string, number>> {
  const outcome = await sendRaw(baseUrl, { method: "GET", path: "/metrics" });
  if (outcome.kind === "failed" || outcome.status !== 200) throw new Error("GET /metrics failed");
  const samples = new Map<string, number>();
  for (const line of outcome.body.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const separator = line.lastIndexOf(" ");
    samples.set(line.slice(0, separator), Number(line.slice(separator + 1)));
  }
  return samples;
}

/** The deliveries of `sink` still waiting (due, leased or scheduled for a retry). */
export async function pendingDeliveries(baseUrl: string, sink: string): Promise<number> {
  return (await readMetrics(baseUrl)).get(`friendhook_deliveries_pending{sink="${sink}"}`) ?? 0;
}

/** Callbacks the app answered with a 5xx, by its own count. */
export async function failedCallbacks(baseUrl: string): Promise<number> {
  let failed = 0;
  for (const [sample, value] of await readMetrics(baseUrl)) {
    if (sample.startsWith("friendhook_callbacks_total{") && sample.includes('outcome="failed"')) failed += value;
  }
  return failed;
}
