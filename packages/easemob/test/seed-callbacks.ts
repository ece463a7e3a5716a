import { type ProviderRequest, createProviderRequest } from "@friendhook/core";
import { signEasemobCallback } from "../src/index";

/**
 * The callback examples of Easemob's documentation ("好友关系操作", callback_contact), verbatim. Their
 * `security` values were computed with a secret that is not published, so tests re-sign them.
 * The documented decline example carries `remote_decline`.
 */
export const seedCallbacks = {
  add: `{
    "chat_type":"roster",
    "callId":"XXXX#XXXX",
    "security":"XXXX",
    "payload":{
        "reason":"",
        "operation":"add"
        },
    "host":"XXXX",
    "appkey":"XXXX#XXXX",
    "from":"XXXX#XXXX",
    "to":"tst01",
    "eventType":"chat",
    "msg_id":"9XXXX2",
    "timestamp":1642648175092
    }`,
  remove: `{
    "chat_type":"roster",
    "callId":"XXXX#XXXX736",
    "security":"2e7XXXX2d7",
    "payload":{
        "roster_ver":"003DD920ADD15B51EB0B806E83BDD97F089B0092",
        "operation":"remove"
        },
    "host":"XXXX",
    "appkey":"XXXX#XXXX",
    "from":"XXXX#XXXX",
    "to":"tst01",
    "eventType":"chat",
    "msg_id":"XXXX463736",
    "timestamp":1642648138571
    }`,
  accept: `{
    "chat_type":"roster",
    "callId":"XXXX#XXXX_966725899779049516",
    "security":"a2e1545231e8acf60513b50984af0c6c",
    "payload":{
        "roster_ver":"DD6E14FE5EE5A9ABC52CA86C5DE1601CF729BFD6",
        "operation":"accept"
        },
    "host":"XXXX",
    "appkey":"XXXX#XXXX",
    "from":"XXXX#XXXX",
    "to":"tst01",
    "eventType":"chat",
    "msg_id":"96XXXX516",
    "timestamp":1642648213494
    }`,
  decline: `{
    "chat_type":"roster",
    "callId":"XXXX#XXXX_966726099692161068",
    "security":"747d6297660e57bcf38315aa98c206ac",
    "payload":{
        "roster_ver":"3D81EC24A6E732B2EB1B654AA446930DB9BAFE59",
        "operation":"remote_decline"
        },
    "host":"XXXX",
    "appkey":"XXXX#XXXX",
    "from":"XXXX#XXXX",
    "to":"tst",
    "eventType":"chat",
    "msg_id":"9XXXX68",
    "timestamp":1642648260029
    }`,
  ban: `{
    "chat_type":"roster",
    "callId":"XXXX#XXXX_966725184268539960",
    "security":"00f070116668034ddecf3fb7db92087c",
    "payload":{
        "operation":"ban",
        "status":{
            "error_code":"ok"
            }
        },
    "host":"XXXX",
    "appkey":"XXXX#XXXX",
    "from":"XXXX#XXXX",
    "to":"tst",
    "eventType":"chat",
    "msg_id":"9XXXX0",
    "timestamp":1642648046912
}`,
  allow: `{
    "chat_type":"roster",
    "callId":"XXXX#XXXX_966725018736134200",
    "security":"cbe8a5f1ba384107b63ef61637f55cad",
    "payload":{
        "operation":"allow",
        "status":{
            "error_code":"ok"
            }
        },
    "host":"XXXX",
    "appkey":"XXXX#XXXX",
    "from":"XXXX#XXXX",
    "to":"tst",
    "eventType":"chat",
    "msg_id":"966725018736134200",
    "timestamp":1642648008357
}`,
} as const;

export type SeedName = keyof typeof seedCallbacks;

export const seedNames = Object.keys(seedCallbacks) as SeedName[];

/** The secret the tests sign with in place of the documentation's unknown one. */
export const testSecret = "test-callback-secret";

/** A seed example as an object, for expectations. */
export function seedBody(name: SeedName): Record<string, unknown> {
  return JSON.parse(seedCallbacks[name]) as Record<string, unknown>;
}

/** When the tests receive an example: a second after its `timestamp`, well within the freshness window. */
export function seedReceivedAt(name: SeedName): Date {
  return new Date((seedBody(name) as { timestamp: number }).timestamp + 1000);
}

/**
 * A seed example as a request, re-signed with `secret`: only the value of `security` changes, every
 * other byte is the documentation's.
 */
export function signedSeed(name: SeedName, secret = testSecret, receivedAt = seedReceivedAt(name)): ProviderRequest {
  const body = seedBody(name) as { callId: string; timestamp: number };
  const security = signEasemobCallback(body, secret);
  const text = seedCallbacks[name].replace(/"security":"[^"]*"/, `"security":"${security}"`);
  return createProviderRequest({ body: text, headers: { "content-type": "application/json" }, receivedAt });
}
