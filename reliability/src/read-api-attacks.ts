import type { RawRequest } from "./http-client";

/** One request of a stranger to the read API: a path, and how it is sent. */
export interface ApiProbe {
  readonly name: string;
  readonly request: RawRequest;
}

/** The header sets a request can come with, but never the right token. */
export function wrongAuthorizations(apiToken: string, otherSecret: string): ReadonlyArray<{ readonly name: string; readonly authorization?: string }> {
  return [
    { name: "no Authorization header" },
    { name: "a random token", authorization: "Bearer rel-guessed-token-Pz7Qw2Xc9Lv4" },
    { name: "the token cut short", authorization: `Bearer ${apiToken.slice(0, -1)}` },
    { name: "the token and one character more", authorization: `Bearer ${apiToken}x` },
    { name: "the token in upper case", authorization: `Bearer ${apiToken.toUpperCase()}` },
    { name: "an empty bearer token", authorization: "Bearer " },
    { name: "the token without a scheme", authorization: apiToken },
    { name: "the token as Basic credentials", authorization: `Basic ${Buffer.from(`friendhook:${apiToken}`).toString("base64")}` },
    { name: "the token twice", authorization: `Bearer ${apiToken} ${apiToken}` },
    { name: "a provider's secret", authorization: `Bearer ${otherSecret}` },
  ];
}

/**
 * Every route of the read and admin API, an unknown one, and the spellings the router also takes
 * (letter case, a trailing slash, HEAD). `friendsQuery` names a user whose friends are stored.
 */
export function apiRouteProbes(friendsQuery: string): readonly ApiProbe[] {
  const json = { "content-type": "application/json" };
  return [
    { name: "GET /api/events", request: { method: "GET", path: "/api/events?limit=1000" } },
    { name: "GET /api/friends", request: { method: "GET", path: `/api/friends?${friendsQuery}` } },
    { name: "GET /api/dead-letters", request: { method: "GET", path: "/api/dead-letters" } },
    { name: "GET /api/unrecognized", request: { method: "GET", path: "/api/unrecognized" } },
    { name: "GET /api/callbacks/ID", request: { method: "GET", path: "/api/callbacks/cb_00000000000000000000000000000000" } },
    { name: "GET /api/events/ID/callback", request: { method: "GET", path: "/api/events/evt_00000000000000000000000000000000/callback" } },
    { name: "POST /api/dead-letters/replay", request: { method: "POST", path: "/api/dead-letters/replay", headers: json, body: "{}" } },
    { name: "GET /api/no-such-route", request: { method: "GET", path: "/api/no-such-route" } },
    { name: "GET /API/EVENTS", request: { method: "GET", path: "/API/EVENTS" } },
    { name: "GET /api/events/", request: { method: "GET", path: "/api/events/" } },
    { name: "HEAD /api/events", request: { method: "HEAD", path: "/api/events" } },
  ];
}

/**
 * What a page of another site can make a browser send to the replay without asking first (no CORS
 * preflight): `text/plain`, a form, a multipart form, or no body at all, with or without the
 * headers a browser adds to mark it as cross-site.
 */
export function crossSiteReplays(): readonly ApiProbe[] {
  const browser = { origin: "https://attacker.example", "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" };
  const path = "/api/dead-letters/replay";
  return [
    { name: "fetch() with text/plain, as a browser marks it", request: { method: "POST", path, headers: { ...browser, "content-type": "text/plain;charset=UTF-8" }, body: "{}" } },
    { name: "fetch() with text/plain, from a browser without Sec-Fetch", request: { method: "POST", path, headers: { origin: "https://attacker.example", "content-type": "text/plain;charset=UTF-8" }, body: "{}" } },
    { name: "text/plain with a JSON body", request: { method: "POST", path, headers: { "content-type": "text/plain" }, body: '{"sink":"http"}' } },
    { name: "an HTML form", request: { method: "POST", path, headers: { ...browser, "content-type": "application/x-www-form-urlencoded" }, body: "sink=http" } },
    { name: "an HTML form, from a browser without Sec-Fetch", request: { method: "POST", path, headers: { "content-type": "application/x-www-form-urlencoded" }, body: "x=1" } },
    { name: "a multipart form", request: { method: "POST", path, headers: { "content-type": "multipart/form-data; boundary=b" }, body: "--b--\r\n" } },
    { name: "a POST without a body", request: { method: "POST", path } },
    { name: "a navigation form post to ?sink=http", request: { method: "POST", path: `${path}?sink=http`, headers: { ...browser, "sec-fetch-mode": "navigate", "content-type": "application/x-www-form-urlencoded" }, body: "" } },
    { name: "JSON from a sibling site", request: { method: "POST", path, headers: { "sec-fetch-site": "same-site", "content-type": "application/json" }, body: "{}" } },
    { name: "a content type that only mentions JSON", request: { method: "POST", path, headers: { "content-type": "text/plain; a=application/json" }, body: "{}" } },
  ];
}
