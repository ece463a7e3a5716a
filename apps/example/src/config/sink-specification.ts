import { type Parsed, parseCommaList, parsed, problem } from "./setting-parsers";

/** The sinks this app can build, by the word that names them in `FRIENDHOOK_SINKS`. */
export const namedSinks = ["console", "memory"] as const;

export type SinkSpecification = { readonly kind: (typeof namedSinks)[number] };

const namedSinkSet: ReadonlySet<string> = new Set(namedSinks);
const supportedSinksText = namedSinks.join(", ");

/**
 * Sinks for real systems are named by a URL (`postgres://…`, `redis://…`, `nats://…`, `https://…`).
 * None is wired into this app yet: adding one means recognizing its scheme here, a variant of
 * `SinkSpecification` carrying the URL, and a factory in `sinks-from-config.ts`.
 */
function parseSink(entry: string): Parsed<SinkSpecification> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(entry)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    // Only the scheme is repeated: the rest of a URL may hold a password.
    return problem(`"${scheme}://" sinks are not supported by this app; supported sinks: ${supportedSinksText}`);
  }
  const name = entry.toLowerCase();
  if (!namedSinkSet.has(name)) {
    return problem(`unknown sink "${entry.slice(0, 40)}"; supported sinks: ${supportedSinksText}`);
  }
  return parsed({ kind: name as SinkSpecification["kind"] });
}

/** `console`, `console,memory`, later `console,postgres://…`. Each sink may appear once. */
export function parseSinkList(text: string): Parsed<SinkSpecification[]> {
  const entries = parseCommaList(text);
  if (!entries.ok) return entries;
  const sinks: SinkSpecification[] = [];
  for (const entry of entries.value) {
    const sink = parseSink(entry);
    if (!sink.ok) return sink;
    if (sinks.some((known) => known.kind === sink.value.kind)) {
      return problem(`the sink "${sink.value.kind}" is listed twice`);
    }
    sinks.push(sink.value);
  }
  return parsed(sinks);
}
