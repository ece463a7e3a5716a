import { type Parsed, parsed, problem } from "./setting-parsers";

/** The scheme of `scheme://…`, lower-cased, or undefined when the text does not start with one. */
export function schemeOf(text: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
}

/**
 * How a URL is shown in messages and logs: scheme, host, port and path, never the user, the
 * password or the query (which may carry a password too).
 */
export function describeServiceUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

export interface ServiceUrl {
  /** The URL to hand to the driver, without the parameters friendhook took. */
  readonly url: URL;
  /** The parameters friendhook took, by name. */
  readonly settings: Readonly<Record<string, string>>;
}

/**
 * Parses a service URL and takes out the query parameters named in `settingNames`, which are
 * friendhook's settings rather than the driver's. A parameter given twice is refused: one of the
 * two would be ignored silently. Messages never quote the URL: it may hold a password.
 */
export function readServiceUrl(text: string, settingNames: readonly string[]): Parsed<ServiceUrl> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem("is not a valid URL (a password with special characters must be percent-encoded)");
  }
  if (url.host === "") return problem("names no host");
  const settings: Record<string, string> = {};
  for (const name of settingNames) {
    const values = url.searchParams.getAll(name);
    if (values.length > 1) return problem(`gives the "${name}" parameter ${values.length} times`);
    const value = values[0]?.trim();
    if (values.length === 1 && !value) return problem(`gives an empty "${name}" parameter`);
    if (value) settings[name] = value;
    // Deleting re-encodes the whole query: leave a query without our parameters as it was written.
    if (values.length > 0) url.searchParams.delete(name);
  }
  return parsed({ url, settings });
}

/** The URL as text, without a `?` left over when every parameter was taken out. */
export function serviceUrlText(url: URL): string {
  return url.href.replace(/\?(#|$)/, "$1");
}
