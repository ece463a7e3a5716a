import type { RequestHandler } from "express";
import { ApiError } from "./api-error";

const safeMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** Sites whose requests may change something: the app's own pages, and requests no page made. */
const trustedFetchSites: ReadonlySet<string> = new Set(["same-origin", "none"]);

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Keeps every change (any method but GET, HEAD and OPTIONS) out of reach of other sites' pages. A
 * page may post a form or `text/plain` anywhere without asking, so a change must come as
 * `application/json`, which a browser sends cross-site only after a CORS preflight that this app
 * never grants (415 otherwise). A request the browser itself marks as made by another site
 * (`Sec-Fetch-Site`) is refused before that (403). Command-line clients send neither header.
 */
export const refuseCrossSiteWrites: RequestHandler = (request, _response, next) => {
  if (safeMethods.has(request.method)) {
    next();
    return;
  }
  const fetchSite = request.headers["sec-fetch-site"];
  if (fetchSite !== undefined && !trustedFetchSites.has(fetchSite.toLowerCase())) {
    throw new ApiError("cross_site_request", `A page of another site may not change anything here (Sec-Fetch-Site: ${fetchSite.slice(0, 20)}).`);
  }
  if (mediaTypeOf(request.headers["content-type"]) !== "application/json") {
    throw new ApiError("unsupported_media_type", `${request.method.slice(0, 10)} requests need "Content-Type: application/json".`);
  }
  next();
};
