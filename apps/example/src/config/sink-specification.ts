import { type PostgresLocation, describePostgresLocation, postgresSchemes, readPostgresLocation } from "./postgres-location";
import { describeServiceUrl, readServiceUrl, schemeOf, serviceUrlText } from "./service-url";
import { type Parsed, parseCommaList, parsed, problem } from "./setting-parsers";

export const httpSinkFormats = ["standard-webhooks", "cloudevents"] as const;
export type HttpSinkFormat = (typeof httpSinkFormats)[number];

/**
 * Where a sink starts: every event still stored (`earliest`), or those from a sequence on. The
 * events stored from then on are delivered as to every sink; these are backfilled once.
 */
export type SinkStart = "earliest" | number;

interface Named {
  /**
   * The sink's name: the receiver keeps each event's delivery state under it, so two sinks need
   * two names, and instances sharing one store share the work of a name. The kind when absent.
   */
  readonly name?: string;
  /** `from=`: the stored events the sink is given once, before the new ones. Only new events when absent. */
  readonly from?: SinkStart;
}

/** One entry of `FRIENDHOOK_SINKS`. */
export type SinkSpecification =
  | ({ readonly kind: "console" } & Named)
  | ({ readonly kind: "memory" } & Named)
  | ({ readonly kind: "postgres" } & PostgresLocation & Named)
  | ({ readonly kind: "redis"; readonly url: string; readonly key?: string } & Named)
  | ({ readonly kind: "nats"; readonly servers: string; readonly subject?: string } & Named)
  | ({ readonly kind: "http"; readonly url: string; readonly format: HttpSinkFormat } & Named);

export type SinkKind = SinkSpecification["kind"];

export function sinkNameOf(sink: SinkSpecification): string {
  return sink.name ?? sink.kind;
}

const wordSinks: ReadonlySet<string> = new Set(["console", "memory"]);
const urlSinkKinds: Readonly<Record<string, UrlSinkKind>> = {
  ...Object.fromEntries(postgresSchemes.map((scheme) => [scheme, "postgres" as const])),
  redis: "redis",
  rediss: "redis",
  nats: "nats",
  http: "http",
  https: "http",
};
const supportedSinksText = "console, memory, postgres://…, redis://…, rediss://…, nats://…, http://…, https://…";

/** Lower case, so that a name reads the same in the store, the logs and the metrics' labels. */
const sinkNamePattern = /^[a-z][a-z0-9_-]{0,39}$/;

function readRedisSink(text: string): Parsed<SinkSpecification> {
  const read = readServiceUrl(text, ["key"]);
  if (!read.ok) return read;
  const { url, settings } = read.value;
  return parsed({ kind: "redis", url: serviceUrlText(url), ...(settings.key !== undefined && { key: settings.key }) });
}

/** Subject tokens are separated by dots; wildcards and spaces have no place in a subject published to. */
const subjectTemplatePattern = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

function readNatsSink(text: string): Parsed<SinkSpecification> {
  const read = readServiceUrl(text, ["subject"]);
  if (!read.ok) return read;
  const { url, settings } = read.value;
  if (url.search !== "") return problem('takes no parameter but "subject"');
  if (settings.subject !== undefined && !subjectTemplatePattern.test(settings.subject)) {
    return problem('has a "subject" that is not a NATS subject: dot-separated tokens without spaces, "*" or ">"');
  }
  return parsed({ kind: "nats", servers: serviceUrlText(url), ...(settings.subject !== undefined && { subject: settings.subject }) });
}

function readHttpSink(text: string): Parsed<SinkSpecification> {
  const read = readServiceUrl(text, ["format"]);
  if (!read.ok) return read;
  const { url, settings } = read.value;
  if (url.username !== "" || url.password !== "") {
    return problem("carries a user or password, which the HTTP sink does not send: the endpoint verifies the webhook-signature instead");
  }
  const format = settings.format ?? "standard-webhooks";
  if (!(httpSinkFormats as readonly string[]).includes(format)) {
    return problem(`has format "${format.slice(0, 30)}"; use ${httpSinkFormats.join(" or ")}`);
  }
  return parsed({ kind: "http", url: serviceUrlText(url), format: format as HttpSinkFormat });
}

function readPostgresSink(text: string): Parsed<SinkSpecification> {
  const location = readPostgresLocation(text);
  return location.ok ? parsed({ kind: "postgres", ...location.value }) : location;
}

type UrlSinkKind = Exclude<SinkKind, "console" | "memory">;

const urlSinkReaders: Readonly<Record<UrlSinkKind, (text: string) => Parsed<SinkSpecification>>> = {
  postgres: readPostgresSink,
  redis: readRedisSink,
  nats: readNatsSink,
  http: readHttpSink,
};

/** `earliest`, or a sequence: a whole number, 0 or more. */
function readStart(value: string): Parsed<SinkStart> {
  if (value === "earliest") return parsed("earliest");
  const sequence = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(sequence)) return problem(`has a "from" parameter that is neither "earliest" nor a sequence (a whole number): "${value.slice(0, 20)}"`);
  return parsed(sequence);
}

/**
 * The `from` parameter every sink takes (`console?from=earliest`, `redis://…?from=120`), taken out
 * of the entry before the sink's own parameters are read: it is friendhook's, never the sink's.
 */
function takeStart(text: string): Parsed<{ readonly text: string; readonly from?: SinkStart }> {
  const word = /^([a-z]+)\?from=(.*)$/i.exec(text);
  if (word) {
    const from = readStart(word[2] ?? "");
    return from.ok ? parsed({ text: word[1] ?? "", from: from.value }) : from;
  }
  if (schemeOf(text) === undefined) return parsed({ text });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The sink's reader says what is wrong with the URL.
    return parsed({ text });
  }
  const values = url.searchParams.getAll("from");
  if (values.length === 0) return parsed({ text });
  if (values.length > 1) return problem(`gives the "from" parameter ${values.length} times`);
  const from = readStart(values[0]?.trim() ?? "");
  if (!from.ok) return from;
  url.searchParams.delete("from");
  return parsed({ text: serviceUrlText(url), from: from.value });
}

function describeEntryKind(entry: string): string {
  const scheme = schemeOf(entry);
  return scheme === undefined ? `"${entry.split("?")[0]?.slice(0, 20)}"` : `(${scheme}://…)`;
}

function readSink(entry: string): Parsed<SinkSpecification> {
  const started = takeStart(entry);
  // Only the scheme, or the word, is repeated: the rest of a URL may hold a password.
  if (!started.ok) return problem(`${describeEntryKind(entry)} ${started.problem}`);
  const { text, from } = started.value;
  const sink = readSinkOfKind(text);
  return sink.ok && from !== undefined ? parsed({ ...sink.value, from }) : sink;
}

function readSinkOfKind(text: string): Parsed<SinkSpecification> {
  const scheme = schemeOf(text);
  if (scheme === undefined) {
    const word = text.toLowerCase();
    if (wordSinks.has(word)) return parsed({ kind: word as "console" | "memory" });
    return problem(`is an unknown sink "${text.slice(0, 40)}"; supported sinks: ${supportedSinksText}`);
  }
  // Only the scheme is ever repeated: the rest of a URL may hold a password.
  const where = `(${scheme}://…)`;
  const kind = urlSinkKinds[scheme];
  if (kind === undefined) return problem(`${where} is not a supported sink; supported sinks: ${supportedSinksText}`);
  const sink = urlSinkReaders[kind](text);
  return sink.ok ? sink : problem(`${where} ${sink.problem}`);
}

/** `audit=https://…`: a name before the sink. A URL has no `=` before its `://`, a word sink none before its `?`. */
function readEntry(entry: string): Parsed<SinkSpecification> {
  const named = /^([^=:/?]*)=(.*)$/s.exec(entry);
  if (!named) return readSink(entry);
  const [, name = "", text = ""] = named;
  if (!sinkNamePattern.test(name)) {
    return problem(
      `names its sink "${name.slice(0, 40)}"; a sink name is a lower-case letter, then up to 39 lower-case letters, digits, "-" or "_"`,
    );
  }
  if (text.trim() === "") return problem(`names the sink "${name}" but gives no sink after "="`);
  const sink = readSink(text.trim());
  return sink.ok ? parsed({ ...sink.value, name }) : sink;
}

/**
 * `console`, `console,postgres://…`, `console,audit=https://…,crm=https://…`: each entry a sink,
 * optionally named (`name=sink`). Names must differ: the receiver keeps the delivery state of each
 * event under its sink's name.
 */
export function parseSinkList(text: string): Parsed<SinkSpecification[]> {
  const entries = parseCommaList(text);
  if (!entries.ok) return entries;
  const sinks: SinkSpecification[] = [];
  for (const [index, entry] of entries.value.entries()) {
    const sink = readEntry(entry);
    if (!sink.ok) return problem(`entry ${index + 1} ${sink.problem}`);
    const name = sinkNameOf(sink.value);
    const earlier = sinks.findIndex((known) => sinkNameOf(known) === name);
    if (earlier !== -1) {
      return problem(
        `entries ${earlier + 1} and ${index + 1} are both the sink "${name}"; deliveries are tracked by sink name, so name them apart: name=sink, e.g. audit=https://…`,
      );
    }
    sinks.push(sink.value);
  }
  return parsed(sinks);
}

/** Where a sink delivers, as the start-up log shows it: never a credential. */
function describeTarget(sink: SinkSpecification): string | undefined {
  switch (sink.kind) {
    case "console":
    case "memory":
      return undefined;
    case "postgres":
      return describePostgresLocation(sink);
    case "redis":
      return `${describeServiceUrl(new URL(sink.url))}${sink.key === undefined ? "" : `, key ${sink.key}`}`;
    case "nats":
      return `${describeServiceUrl(new URL(sink.servers))}${sink.subject === undefined ? "" : `, subject ${sink.subject}`}`;
    case "http":
      return `${describeServiceUrl(new URL(sink.url))}, ${sink.format}`;
  }
}

/** `console`, `audit (https://hooks.example.com/friendhook, standard-webhooks)`, `archive (redis://cache:6379, from earliest)`. */
export function describeSink(sink: SinkSpecification): string {
  const name = sinkNameOf(sink);
  const target = describeTarget(sink) ?? (name === sink.kind ? undefined : sink.kind);
  const details = [target, sink.from === undefined ? undefined : `from ${sink.from}`].filter((detail) => detail !== undefined);
  return details.length === 0 ? name : `${name} (${details.join(", ")})`;
}
