import { buildEasemobCallback, signEasemobCallback } from "@friendhook/easemob";
import { buildTencentCallback, defaultMaximumEventsPerCallback } from "@friendhook/tencent";
import { hostileBodies } from "@friendhook/testkit";
import type { Route } from "./callback-plans";
import { type ReliabilityCredentials, reliabilityCredentials } from "./credentials";
import type { RawRequest } from "./http-client";

/**
 * - `unauthenticated`: sent by someone without the secret. Refused (4xx) and never stored.
 * - `malformed`: correctly signed, but not a callback the provider could send (a required field
 *   missing or of the wrong type, a body that is not JSON). Refused (4xx) and never stored.
 */
export type HostileCategory = "unauthenticated" | "malformed";

export interface HostileRequest {
  readonly name: string;
  readonly route: Route;
  readonly category: HostileCategory;
  /** The exact status the app must answer, when one is known; any 4xx otherwise. */
  readonly status?: number;
  /**
   * The server may also close the connection instead: Node answers a request line or headers over
   * its limit with 431 and closes at once, and a client still writing may see only the reset.
   */
  readonly mayCloseInstead?: boolean;
  /** Built at the moment of sending: a Tencent signature is valid for a minute only. */
  build(): RawRequest;
}

const encoder = new TextEncoder();
const json = { "content-type": "application/json" } as const;

export interface HostileContext {
  readonly credentials: ReliabilityCredentials;
  /** The app's body limit in bytes. */
  readonly bodyLimitBytes: number;
}

let sequence = 0;
const uniqueId = (prefix: string) => `${prefix}${Date.now()}${(sequence += 1)}`;

/** A correctly signed Easemob roster callback body, built by the adapter's own builder, as an object to break. */
export function signedEasemobBody(credentials: ReliabilityCredentials = reliabilityCredentials): Record<string, unknown> {
  const request = buildEasemobCallback({
    secret: credentials.easemobSecrets[0],
    appKey: credentials.easemobAppKeys[0],
    operation: "remove",
    rosterVersion: "v1",
    host: "hostile.test",
    from: "mallory",
    to: "victim",
    messageId: uniqueId("66"),
  });
  return JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown>;
}

/** Re-signs an Easemob body after its `callId` or `timestamp` changed, when both are still signable. */
export function resignEasemobBody(body: Record<string, unknown>, secret: string): Record<string, unknown> {
  const { callId, timestamp } = body;
  if (typeof callId !== "string" || typeof timestamp !== "number") return body;
  return { ...body, security: signEasemobCallback({ callId, timestamp }, secret) };
}

/** The path of a Tencent callback whose URL is correctly signed now by the adapter's own builder; `overrides` replace parameters. */
export function signedTencentPath(
  command: string,
  credentials: ReliabilityCredentials = reliabilityCredentials,
  overrides: Record<string, string> = {},
): string {
  const { query } = buildTencentCallback({
    sdkAppId: credentials.tencentSdkAppIds[0],
    command,
    token: credentials.tencentToken,
    clientIp: "127.0.0.1",
    optPlatform: "RESTAPI",
    body: "",
  });
  for (const [name, value] of Object.entries(overrides)) query.set(name, value);
  return `/webhooks/tencent?${query.toString()}`;
}

export function signedTencentBody(): Record<string, unknown> {
  return {
    CallbackCommand: "Sns.CallbackFriendDelete",
    PairList: [{ From_Account: "mallory", To_Account: "victim" }],
    ClientIP: "127.0.0.1",
    OptPlatform: "RESTAPI",
    RequestId: uniqueId("hostile-"),
  };
}

const wrongValues: ReadonlyArray<readonly [string, unknown]> = [
  ["null", null],
  ["a number", 7],
  ["a boolean", true],
  ["an array", ["x"]],
  ["an object", { value: "x" }],
  ["an empty string", ""],
];

function setPath(body: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) return { ...body, [head]: value };
  return { ...body, [head]: setPath((body[head] ?? {}) as Record<string, unknown>, rest, value) };
}

function deeplyNestedArrays(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

function pairList(count: number): Array<{ From_Account: string; To_Account: string }> {
  return Array.from({ length: count }, (_, index) => ({ From_Account: `flood${index}`, To_Account: `target${index}` }));
}

/**
 * The table of hostile requests: every body of the testkit's `hostileBodies` on both routes, wrong
 * types in every field Easemob and Tencent require, prototype keys, invalid UTF-8, wrong content
 * types and encodings, wrong methods, bodies over the limit (declared and chunked), deep nesting,
 * huge strings and huge `PairList`s.
 */
export function hostileRequests(context: HostileContext): HostileRequest[] {
  const { credentials, bodyLimitBytes } = context;
  const secret = credentials.easemobSecrets[0];
  const requests: HostileRequest[] = [];
  const add = (request: HostileRequest) => requests.push(request);
  const easemobBody = (body: Record<string, unknown> | string | Uint8Array, headers: Record<string, string> = json): RawRequest => ({
    path: "/webhooks/easemob",
    headers,
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const tencentBody = (
    body: Record<string, unknown> | string | Uint8Array,
    headers: Record<string, string> = json,
    command = "Sns.CallbackFriendDelete",
  ): RawRequest => ({
    path: signedTencentPath(command, credentials),
    headers,
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });

  for (const hostile of hostileBodies) {
    add({ name: `Easemob: ${hostile.name}`, route: "easemob", category: "malformed", build: () => easemobBody(hostile.body) });
    add({
      name: `Tencent, signed URL: ${hostile.name}`,
      route: "tencent",
      category: "malformed",
      status: 400,
      build: () => tencentBody(hostile.body),
    });
  }

  // `appkey` may be missing (the signed `callId` names the app) and a callback without a roster
  // `chat_type` is another family's, acknowledged and kept as unrecognized: neither is refused.
  const easemobRequiredFields = [["from"], ["to"], ["msg_id"], ["payload"], ["payload", "operation"], ["callId"], ["timestamp"]];
  for (const path of easemobRequiredFields) {
    for (const [description, value] of wrongValues) {
      // Any non-negative integer is a timestamp Easemob could send.
      if (path[0] === "timestamp" && typeof value === "number") continue;
      add({
        name: `Easemob, signed: ${path.join(".")} is ${description}`,
        route: "easemob",
        category: "malformed",
        status: 400,
        build: () => easemobBody(resignEasemobBody(setPath(signedEasemobBody(credentials), path, value), secret)),
      });
    }
    add({
      name: `Easemob, signed: ${path.join(".")} is missing`,
      route: "easemob",
      category: "malformed",
      status: 400,
      build: () => {
        const body = signedEasemobBody(credentials);
        if (path.length === 1) delete body[path[0] as string];
        else delete (body.payload as Record<string, unknown>).operation;
        return easemobBody(resignEasemobBody(body, secret));
      },
    });
  }
  for (const [description, value] of [["a negative number", -1], ["a fraction", 1.5], ["a numeric string", "1700000000000"], ["far beyond any date", 1e300]] as const) {
    add({
      name: `Easemob, signed: timestamp is ${description}`,
      route: "easemob",
      category: "malformed",
      status: 400,
      build: () => easemobBody(resignEasemobBody({ ...signedEasemobBody(credentials), timestamp: value }, secret)),
    });
  }
  add({
    name: "Easemob, signed: ban without status.error_code",
    route: "easemob",
    category: "malformed",
    status: 400,
    build: () => easemobBody(setPath(signedEasemobBody(credentials), ["payload"], { operation: "ban" })),
  });
  add({
    name: "Easemob, signed: a JID of another app key",
    route: "easemob",
    category: "malformed",
    status: 400,
    build: () => easemobBody({ ...signedEasemobBody(credentials), from: "other#app_mallory@easemob.com" }),
  });

  const tencentPairFields = ["From_Account", "To_Account"];
  for (const [description, value] of wrongValues) {
    add({
      name: `Tencent, signed: PairList is ${description}`,
      route: "tencent",
      category: "malformed",
      status: 400,
      build: () => tencentBody({ ...signedTencentBody(), PairList: value }),
    });
    add({
      name: `Tencent, signed: CallbackCommand in the body is ${description}`,
      route: "tencent",
      category: "malformed",
      status: 400,
      build: () => tencentBody({ ...signedTencentBody(), CallbackCommand: value }),
    });
    for (const field of tencentPairFields) {
      add({
        name: `Tencent, signed: a pair's ${field} is ${description}`,
        route: "tencent",
        category: "malformed",
        status: 400,
        build: () => tencentBody({ ...signedTencentBody(), PairList: [{ From_Account: "mallory", To_Account: "victim", [field]: value }] }),
      });
    }
  }
  add({
    name: "Tencent, signed: PairList holds a number",
    route: "tencent",
    category: "malformed",
    status: 400,
    build: () => tencentBody({ ...signedTencentBody(), PairList: [1] }),
  });
  add({
    name: "Tencent, signed: the URL and the body name different commands",
    route: "tencent",
    category: "malformed",
    status: 400,
    build: () => tencentBody({ ...signedTencentBody(), CallbackCommand: "Sns.CallbackFriendAdd" }),
  });
  add({
    name: "Tencent, signed: no CallbackCommand in the URL",
    route: "tencent",
    category: "malformed",
    status: 400,
    build: () => {
      const path = signedTencentPath("Sns.CallbackFriendDelete", credentials);
      const url = new URL(path, "http://x");
      url.searchParams.delete("CallbackCommand");
      return { path: `${url.pathname}${url.search}`, headers: json, body: JSON.stringify(signedTencentBody()) };
    },
  });

  // Prototype keys, in a body that is otherwise broken (a required field missing), at every level.
  const prototypeKeys = '"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}}';
  add({
    name: "Easemob, signed: __proto__ and constructor keys at every level, no `to`",
    route: "easemob",
    category: "malformed",
    status: 400,
    build: () => {
      const { to: _to, payload, ...body } = signedEasemobBody(credentials);
      const text = JSON.stringify({ ...body, payload: { ...(payload as object), nested: {} } });
      return easemobBody(`{${prototypeKeys},${text.slice(1).replace('"nested":{}', `"nested":{${prototypeKeys}}`)}`);
    },
  });
  add({
    name: "Tencent, signed: __proto__ and constructor keys in the body and in a pair without To_Account",
    route: "tencent",
    category: "malformed",
    status: 400,
    build: () => tencentBody(`{${prototypeKeys},"CallbackCommand":"Sns.CallbackFriendDelete","PairList":[{${prototypeKeys},"From_Account":"mallory"}]}`),
  });
  add({
    name: "Tencent: __proto__ as the query's parameter names, unsigned",
    route: "tencent",
    category: "unauthenticated",
    status: 403,
    build: () => ({ path: "/webhooks/tencent?__proto__=1&constructor=2&SdkAppid=__proto__", headers: json, body: JSON.stringify(signedTencentBody()) }),
  });

  // Text that is not UTF-8, in a signed body: the bytes must be refused, not repaired.
  const invalidUtf8 = (text: string, bad: number[]) => {
    const [before, after] = text.split("@@") as [string, string];
    return Uint8Array.from([...encoder.encode(before), ...bad, ...encoder.encode(after)]);
  };
  for (const [description, bad] of [["a lone continuation byte", [0x80]], ["an overlong encoding", [0xc0, 0xaf]], ["a lone surrogate encoded", [0xed, 0xa0, 0x80]], ["a truncated sequence", [0xe2, 0x82]]] as const) {
    add({
      name: `Easemob, signed: ${description} in a user id`,
      route: "easemob",
      category: "malformed",
      status: 400,
      build: () => easemobBody(invalidUtf8(JSON.stringify({ ...signedEasemobBody(credentials), to: "vic@@tim" }), [...bad])),
    });
    add({
      name: `Tencent, signed: ${description} in an account`,
      route: "tencent",
      category: "malformed",
      status: 400,
      build: () => tencentBody(invalidUtf8(JSON.stringify({ ...signedTencentBody(), PairList: [{ From_Account: "mal@@lory", To_Account: "victim" }] }), [...bad])),
    });
  }
  add({
    name: "Easemob, signed: the body encoded as UTF-16",
    route: "easemob",
    category: "malformed",
    status: 400,
    build: () => easemobBody(Buffer.from(`\ufeff${JSON.stringify(signedEasemobBody(credentials))}`, "utf16le")),
  });

  // Content types and encodings that cannot carry the JSON callback, around a correctly signed body.
  const wrongContentTypes = [
    "text/html",
    "application/xml",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "application/json; charset=utf-16",
    "application/json; charset=iso-8859-1",
    "image/png",
  ];
  for (const contentType of wrongContentTypes) {
    add({
      name: `Easemob, signed: content type ${contentType}`,
      route: "easemob",
      category: "malformed",
      status: 415,
      build: () => easemobBody(signedEasemobBody(credentials), { "content-type": contentType }),
    });
    add({
      name: `Tencent, signed: content type ${contentType}`,
      route: "tencent",
      category: "malformed",
      status: 415,
      build: () => tencentBody(signedTencentBody(), { "content-type": contentType }),
    });
  }
  for (const encoding of ["gzip", "deflate", "br"]) {
    add({
      name: `Easemob, signed: content encoding ${encoding} (the body is not compressed)`,
      route: "easemob",
      category: "malformed",
      status: 415,
      build: () => easemobBody(signedEasemobBody(credentials), { ...json, "content-encoding": encoding }),
    });
  }
  for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
    add({
      name: `Easemob: ${method} instead of POST`,
      route: "easemob",
      category: "malformed",
      status: 405,
      build: () => ({ ...easemobBody(signedEasemobBody(credentials)), method }),
    });
  }

  // Size: bodies over the limit (declared by Content-Length, and streamed without one), deep
  // nesting and huge strings within it, and huge pair lists.
  const overLimit = bodyLimitBytes + 1024;
  add({
    name: `Easemob: a body of ${overLimit} bytes, over the limit, with Content-Length`,
    route: "easemob",
    category: "malformed",
    status: 413,
    build: () => easemobBody(JSON.stringify({ ...signedEasemobBody(credentials), host: "h".repeat(overLimit) })),
  });
  add({
    name: `Tencent, signed: a body of ${overLimit} bytes, over the limit, chunked`,
    route: "tencent",
    category: "malformed",
    status: 413,
    build: () => ({ ...tencentBody(JSON.stringify({ ...signedTencentBody(), padding: "p".repeat(overLimit) })), chunked: true }),
  });
  const nearLimit = bodyLimitBytes - 4096;
  add({
    name: `Easemob: arrays nested ${Math.floor(nearLimit / 2)} deep`,
    route: "easemob",
    category: "malformed",
    status: 400,
    build: () => easemobBody(deeplyNestedArrays(Math.floor(nearLimit / 2))),
  });
  add({
    name: `Tencent, signed: objects nested ${Math.floor(nearLimit / 6)} deep in a pair`,
    route: "tencent",
    category: "malformed",
    status: 400,
    build: () => {
      const depth = Math.floor(nearLimit / 6);
      return tencentBody(`{"CallbackCommand":"Sns.CallbackFriendDelete","PairList":[${'{"a":'.repeat(depth)}1${"}".repeat(depth)}]}`);
    },
  });
  add({
    name: `Easemob, unsigned: a ${nearLimit}-character user id`,
    route: "easemob",
    category: "unauthenticated",
    status: 401,
    build: () => easemobBody({ ...signedEasemobBody(credentials), security: "0".repeat(32), to: "x".repeat(nearLimit) }),
  });
  add({
    name: `Easemob: a ${nearLimit}-character security`,
    route: "easemob",
    category: "unauthenticated",
    status: 401,
    build: () => easemobBody({ ...signedEasemobBody(credentials), security: "f".repeat(nearLimit) }),
  });
  add({
    name: "Tencent: an 8,000-character Sign",
    route: "tencent",
    category: "unauthenticated",
    status: 401,
    build: () => ({
      path: signedTencentPath("Sns.CallbackFriendDelete", credentials, { Sign: "e".repeat(8000) }),
      headers: json,
      body: JSON.stringify(signedTencentBody()),
    }),
  });
  // Node's HTTP parser refuses request lines and headers over 16 KiB before the app sees them.
  add({
    name: "Tencent: a 60,000-character URL",
    route: "tencent",
    category: "unauthenticated",
    status: 431,
    mayCloseInstead: true,
    build: () => ({
      path: signedTencentPath("Sns.CallbackFriendDelete", credentials, { Sign: "e".repeat(60_000) }),
      headers: json,
      body: JSON.stringify(signedTencentBody()),
    }),
  });
  add({
    name: `Tencent, signed: a ${nearLimit}-character command`,
    route: "tencent",
    category: "malformed",
    status: 400,
    build: () => tencentBody({ ...signedTencentBody(), CallbackCommand: "S".repeat(nearLimit) }),
  });
  const pairsWithinLimit = Math.floor(nearLimit / 60);
  add({
    name: `Tencent, forged Sign: a PairList of ${pairsWithinLimit} pairs`,
    route: "tencent",
    category: "unauthenticated",
    status: 401,
    build: () => ({
      path: signedTencentPath("Sns.CallbackFriendDelete", credentials, { Sign: "0".repeat(64) }),
      headers: json,
      body: JSON.stringify({ ...signedTencentBody(), PairList: pairList(pairsWithinLimit) }),
    }),
  });
  const pairsWithinCap = Math.min(pairsWithinLimit, defaultMaximumEventsPerCallback);
  add({
    name: `Tencent, signed: a PairList of ${pairsWithinCap} pairs, the last one broken`,
    route: "tencent",
    category: "malformed",
    status: 400,
    build: () => tencentBody({ ...signedTencentBody(), PairList: [...pairList(pairsWithinCap - 1), { From_Account: "mallory" }] }),
  });
  if (pairsWithinLimit > defaultMaximumEventsPerCallback) {
    add({
      name: `Tencent, signed: a PairList of ${pairsWithinLimit} pairs, over maximumEventsPerCallback`,
      route: "tencent",
      category: "malformed",
      status: 413,
      build: () => tencentBody({ ...signedTencentBody(), PairList: pairList(pairsWithinLimit) }),
    });
  }
  add({
    name: `Tencent, signed: a PairList of ${Math.floor(overLimit / 40)} pairs, over the body limit`,
    route: "tencent",
    category: "malformed",
    status: 413,
    build: () => tencentBody({ ...signedTencentBody(), PairList: pairList(Math.floor(overLimit / 40)) }),
  });
  return requests;
}
