import { type ProviderRequest, createProviderRequest } from "@friendhook/core";
import type { EasemobRosterOperation } from "./easemob-events";
import { signEasemobCallback } from "./easemob-authentication";

export interface EasemobCallbackInit {
  /** The callback rule's secret the callback is signed with. */
  readonly secret: string;
  /** A roster operation; any other string builds a callback the adapter reports as unrecognized. */
  readonly operation: EasemobRosterOperation | (string & {});
  /** Sent verbatim: a bare user id (`alice`) or a JID (`org#app_alice@easemob.com`). */
  readonly from: string;
  /** Sent verbatim: the user the callback is delivered to. */
  readonly to: string;
  /** `demo#app` by default. */
  readonly appKey?: string;
  /** `msg_id`; 18 random digits, as Easemob's look, by default. */
  readonly messageId?: string;
  /** `{appKey}_{messageId}` by default, as Easemob forms it. */
  readonly callId?: string;
  /** Milliseconds since the Unix epoch; now by default. */
  readonly timestamp?: number;
  /** `chat` by default. */
  readonly eventType?: "chat" | "chat_offline";
  readonly host?: string;
  /** `payload.roster_ver`; sent only when given. */
  readonly rosterVersion?: string;
  /** `payload.reason` of `add`; an empty string by default, as Easemob sends it. */
  readonly reason?: string | Record<string, unknown>;
  /** `payload.status.error_code` of `ban` and `allow`; `ok` by default. */
  readonly errorCode?: string;
  /** When the receiver read the request; now by default. */
  readonly receivedAt?: Date;
}

function payloadOf(init: EasemobCallbackInit): Record<string, unknown> {
  return {
    operation: init.operation,
    ...(init.operation === "add" ? { reason: init.reason ?? "" } : {}),
    ...(init.rosterVersion === undefined ? {} : { roster_ver: init.rosterVersion }),
    ...(init.operation === "ban" || init.operation === "allow" ? { status: { error_code: init.errorCode ?? "ok" } } : {}),
  };
}

/** 18 random digits, as Easemob's message ids look. */
function randomMessageId(): string {
  const [high = 0, low = 0] = crypto.getRandomValues(new Uint32Array(2));
  return `${1e8 + (high % 9e8)}${1e8 + (low % 9e8)}`;
}

/**
 * Builds a roster callback as Easemob sends it, correctly signed with `secret`: for tests of an
 * application's receiver.
 */
export function buildEasemobCallback(init: EasemobCallbackInit): ProviderRequest {
  const appKey = init.appKey ?? "demo#app";
  const messageId = init.messageId ?? randomMessageId();
  const callId = init.callId ?? `${appKey}_${messageId}`;
  const timestamp = init.timestamp ?? Date.now();
  const body = {
    chat_type: "roster",
    callId,
    security: signEasemobCallback({ callId, timestamp }, init.secret),
    payload: payloadOf(init),
    ...(init.host === undefined ? {} : { host: init.host }),
    appkey: appKey,
    from: init.from,
    to: init.to,
    eventType: init.eventType ?? "chat",
    msg_id: messageId,
    timestamp,
  };
  return createProviderRequest({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(init.receivedAt === undefined ? {} : { receivedAt: init.receivedAt }),
  });
}
