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
 * The path below the provider's route: OpenIM posts to `/webhooks/openim/<callbackCommand>`, and its
 * builder says so; the other builders know nothing of the route.
 */
function webhookPath(provider: string, request: ProviderRequest): string {
  const route = `/webhooks/${provider}`;
  return request.path.startsWith(`${route}/`) ? request.path : route;
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
