import { type ProviderAdapterV1, type ProviderRequest, createProviderRequest } from "@friendhook/core";
import { createEasemobAdapter } from "@friendhook/easemob";
import { createTencentAdapter } from "@friendhook/tencent";
import { benchCredentials } from "../payloads/bench-credentials";
import { easemobRosterAddBody } from "../payloads/easemob-payloads";
import { signedTencentPath, tencentFriendAddBody } from "../payloads/tencent-payloads";
import { type MeasurementSettings, type Workload, measureInterleaved } from "./interleaved-measurement";

/** One callback, timed through its adapter and through `JSON.parse` alone. */
export interface NormalizationCase {
  readonly provider: string;
  readonly label: string;
  /** Pairs in the callback (1 for Easemob, which sends one change per callback). */
  readonly pairs: number;
  readonly bodyBytes: number;
}

export interface NormalizationResult extends NormalizationCase {
  readonly events: number;
  /** `adapter.receive`: authenticate, parse, validate, normalize, derive the event ids. */
  readonly receiveNanoseconds: number;
  readonly receiveSpread: number;
  /** UTF-8 decoding and `JSON.parse` of the same bytes: what no receiver can avoid. */
  readonly floorNanoseconds: number;
  readonly floorSpread: number;
}

export interface PreparedCase extends NormalizationCase {
  readonly adapter: ProviderAdapterV1;
  readonly request: ProviderRequest;
}

// A day of accepted clock skew: the signed URL is made once, and a long run must not outlive it.
const tencentAdapter = createTencentAdapter({
  sdkAppIds: [benchCredentials.tencentSdkAppId],
  token: benchCredentials.tencentToken,
  maximumClockSkewSeconds: 86_400,
});

const easemobAdapter = createEasemobAdapter({
  secret: benchCredentials.easemobSecret,
  appKeys: [benchCredentials.easemobAppKey],
});

/** The request as a Node server hands it over: a Buffer body, the URL split into path and query. */
function requestOf(pathWithQuery: string, body: string): ProviderRequest {
  const url = new URL(pathWithQuery, "http://127.0.0.1");
  return createProviderRequest({
    method: "POST",
    path: url.pathname,
    query: url.searchParams,
    headers: { "content-type": "application/json" },
    body: Buffer.from(body, "utf8"),
  });
}

export const tencentPairCounts = [1, 10, 100, 1000] as const;

/** Every case with its adapter and a ready request, signed with the benchmark credentials. */
export function prepareNormalizationCases(): PreparedCase[] {
  const easemobBody = easemobRosterAddBody("1181992855740384256");
  const cases: PreparedCase[] = [
    {
      provider: "easemob",
      label: "roster:add",
      pairs: 1,
      bodyBytes: Buffer.byteLength(easemobBody),
      adapter: easemobAdapter,
      request: requestOf("/webhooks/easemob", easemobBody),
    },
  ];
  const path = signedTencentPath();
  for (const pairs of tencentPairCounts) {
    const body = tencentFriendAddBody(pairs, "1a2b3c4d-0000-4000-8000-00000000bench");
    cases.push({
      provider: "tencent",
      label: `Sns.CallbackFriendAdd, ${pairs} pair${pairs === 1 ? "" : "s"}`,
      pairs,
      bodyBytes: Buffer.byteLength(body),
      adapter: tencentAdapter,
      request: requestOf(path, body),
    });
  }
  return cases;
}

export const caseKey = (prepared: NormalizationCase) => `${prepared.provider} ${prepared.label}`;

/**
 * Callbacks per second through `adapter.receive`, per provider and per PairList size, each beside
 * the floor (`JSON.parse` of the same bytes), all measured interleaved in one run.
 */
export async function runNormalizationSuite(settings: MeasurementSettings): Promise<NormalizationResult[]> {
  const cases = prepareNormalizationCases();
  const eventCounts = new Map<string, number>();
  for (const prepared of cases) {
    const callback = await prepared.adapter.receive(prepared.request);
    if (callback.events.length === 0) throw new Error(`${caseKey(prepared)}: the adapter produced no event`);
    eventCounts.set(caseKey(prepared), callback.events.length);
  }
  const workloads: Workload[] = cases.flatMap((prepared) => {
    const body = prepared.request.body as Buffer;
    return [
      { name: `floor ${caseKey(prepared)}`, run: () => JSON.parse(body.toString("utf8")) },
      { name: `receive ${caseKey(prepared)}`, run: () => prepared.adapter.receive(prepared.request) },
    ];
  });
  const timings = new Map((await measureInterleaved(workloads, settings)).map((timing) => [timing.name, timing]));
  return cases.map(({ adapter: _adapter, request: _request, ...description }) => {
    const floor = timings.get(`floor ${caseKey(description)}`);
    const receive = timings.get(`receive ${caseKey(description)}`);
    if (!floor || !receive) throw new Error(`${caseKey(description)}: not measured`);
    return {
      ...description,
      events: eventCounts.get(caseKey(description)) ?? 0,
      receiveNanoseconds: receive.nanosecondsPerCall,
      receiveSpread: receive.spread,
      floorNanoseconds: floor.nanosecondsPerCall,
      floorSpread: floor.spread,
    };
  });
}
