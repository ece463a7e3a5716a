import type { ProviderRequest } from "@friendhook/core";

export interface CallbackAnswer {
  readonly status: number;
  readonly body: string;
}

/** Cannot reach the app at all: nothing to do but say so. */
export class UnreachableError extends Error {
  override readonly name = "UnreachableError";
}

/**
 * The callback's path on the app: its own when a builder put it under the route already (OpenIM's
 * builds `/webhooks/openim/{callbackCommand}` by default), else the route and the path below it
 * (`/` for the route itself; a descriptor's samples give `/{callbackCommand}`).
 */
function webhookPath(provider: string, request: ProviderRequest): string {
  const route = `/webhooks/${provider}`;
  if (request.path.startsWith(`${route}/`)) return request.path;
  return request.path === "/" ? route : `${route}${request.path}`;
}

/** Sends a built callback to `{baseUrl}/webhooks/{provider}` with its query, headers and exact body bytes. */
export async function sendCallback(baseUrl: string, provider: string, request: ProviderRequest): Promise<CallbackAnswer> {
  const url = new URL(webhookPath(provider, request), baseUrl);
  url.search = request.query.toString();
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  let response: Response;
  try {
    response = await fetch(url, { method: request.method, headers, body: request.body });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UnreachableError(`cannot reach ${baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }
  return { status: response.status, body: await response.text() };
}
