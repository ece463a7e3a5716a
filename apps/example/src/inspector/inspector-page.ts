import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import express, { Router } from "express";

/**
 * The page's files, committed as they are served (no build step), in the package's `inspector/`:
 * two levels up from this module's source, one level up from the bundle in `dist/`.
 */
export const inspectorDirectory = ["../../inspector/", "../inspector/"]
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((directory) => existsSync(`${directory}index.html`)) ?? fileURLToPath(new URL("../../inspector/", import.meta.url));

/**
 * The page and its script and style only, from this origin; data only from this origin's `/api`;
 * no inline script or style, no frames, no forms posted elsewhere.
 */
export const inspectorContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * `GET /inspector/`: the inspector, a static page. It holds no data: it asks for the API token,
 * keeps it in the tab's `sessionStorage`, and reads everything from `/api` with it.
 */
export function inspectorPageRoutes(): Router {
  const router = Router();
  router.use("/inspector", (_request, response, next) => {
    response.setHeader("Content-Security-Policy", inspectorContentSecurityPolicy);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader("X-Frame-Options", "DENY");
    next();
  });
  router.use("/inspector", express.static(inspectorDirectory, { index: "index.html", redirect: true, cacheControl: true, maxAge: 0 }));
  return router;
}
