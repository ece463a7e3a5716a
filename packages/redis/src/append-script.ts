import { createHash } from "node:crypto";
import type { RedisCommandClient } from "./redis-sink-options";

/**
 * Appends a batch in order, skipping events already stored. For each event, KEYS holds its stream
 * and its marker; ARGV holds the approximate maximum length, the marker lifetime, then id, type and
 * JSON of each event. The marker is set only after XADD succeeded, and a script runs alone, so no
 * failure or concurrent delivery can leave an event marked but not appended, or appended twice.
 * An XADD that fails (a key that holds another type) stops the script there, with what it appended
 * before kept. Returns how many events were appended, the 1-based position of the event that
 * failed (0 when none did) and the server's error for it.
 */
export const appendScript = `
local appended = 0
for index = 1, #KEYS / 2 do
  local stream = KEYS[index * 2 - 1]
  local marker = KEYS[index * 2]
  local field = 3 + (index - 1) * 3
  if redis.call('EXISTS', marker) == 0 then
    local entry = redis.pcall('XADD', stream, 'MAXLEN', '~', ARGV[1], '*',
      'id', ARGV[field], 'type', ARGV[field + 1], 'event', ARGV[field + 2])
    if type(entry) == 'table' and entry.err then
      return {appended, index, entry.err}
    end
    redis.call('SET', marker, entry, 'EX', ARGV[2])
    appended = appended + 1
  end
end
return {appended, 0, ''}
`;

const appendScriptSha1 = createHash("sha1").update(appendScript).digest("hex");

export interface AppendedEvent {
  readonly streamKey: string;
  readonly markerKey: string;
  readonly id: string;
  readonly type: string;
  readonly json: string;
}

export interface AppendSettings {
  readonly maxLength: number;
  readonly dedupeTtlSeconds: number;
  readonly commandTimeoutMs: number;
}

export interface AppendResult {
  readonly appended: number;
  /** The 0-based position of the event the server refused, and why; the events after it were not attempted. */
  readonly refused?: { readonly index: number; readonly reason: string };
}

function readAppendResult(reply: unknown): AppendResult {
  const [appended, failedPosition, reason] = Array.isArray(reply) ? reply : [];
  const position = Number(failedPosition);
  return position > 0 ? { appended: Number(appended), refused: { index: position - 1, reason: String(reason) } } : { appended: Number(appended) };
}

/** Runs the script by its digest, and sends it whole only when the server does not know it yet. */
export async function appendEvents(client: RedisCommandClient, events: readonly AppendedEvent[], settings: AppendSettings): Promise<AppendResult> {
  const keys = events.flatMap((event) => [event.streamKey, event.markerKey]);
  const values = [
    String(settings.maxLength),
    String(settings.dedupeTtlSeconds),
    ...events.flatMap((event) => [event.id, event.type, event.json]),
  ];
  const tail = [String(keys.length), ...keys, ...values];
  const options = { timeout: settings.commandTimeoutMs };
  try {
    return readAppendResult(await client.sendCommand(["EVALSHA", appendScriptSha1, ...tail], options));
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return readAppendResult(await client.sendCommand(["EVAL", appendScript, ...tail], options));
  }
}
