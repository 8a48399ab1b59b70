import os from "node:os";
import { AppError } from "../errors.ts";
import { env, publicUrl } from "../env.ts";
import { normalizeHost } from "../net/address-list.ts";

// Cross-site request checks for the API, run by proxy.ts before any route (and by withRequestGuard on the one route
// the proxy must skip). A browser names the page that sent a request in `Origin` (always on a cross-origin POST,
// PUT, PATCH or DELETE) or at least in `Sec-Fetch-Site`; a request carrying neither comes from a script, curl or the
// CLI, which hold no victim's cookies and are let through (docs/decisions.md, "CSRF: Origin allow-list").

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function addHttpOrigin(origins: Set<string>, host: string): void {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const url = `http://${bracketed}:${env.PORT}`;
  // a name that is no URL host (an odd hostname) simply adds nothing
  if (URL.canParse(url)) origins.add(new URL(url).origin);
}

/**
 * The origins a page of this app can have: ASSAY_PUBLIC_URL's, the loopback names, and the address Assay listens on
 * (on 0.0.0.0 or ::, this machine's name and its interfaces' addresses: what `assay start` prints and people type).
 * A URL behind a proxy or a DNS name needs ASSAY_PUBLIC_URL. better-auth trusts the same origins.
 */
let computed: ReadonlySet<string> | undefined;

/** Computed once per process: every state-changing request asks, and the environment does not change while it runs. */
export function allowedOrigins(): ReadonlySet<string> {
  computed ??= originsOfThisInstall();
  return computed;
}

function originsOfThisInstall(): Set<string> {
  const origins = new Set([new URL(publicUrl()).origin, `http://localhost:${env.PORT}`, `http://127.0.0.1:${env.PORT}`]);
  const host = normalizeHost(env.ASSAY_HOST);
  if (host === "0.0.0.0" || host === "::") {
    addHttpOrigin(origins, os.hostname().toLowerCase());
    for (const addresses of Object.values(os.networkInterfaces())) {
      for (const address of addresses ?? []) if (!address.internal) addHttpOrigin(origins, address.address);
    }
  } else {
    addHttpOrigin(origins, host);
  }
  return origins;
}

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase());
}

/** Throws a 403 when a browser sent this request from a page that is not one of the allowed origins. */
export function assertAllowedOrigin(method: string, headers: Headers, allowed: ReadonlySet<string> = allowedOrigins()): void {
  if (!isStateChanging(method)) return;
  const origin = headers.get("origin");
  if (origin !== null) {
    // "null" is what sandboxed frames, file: pages and cross-origin redirects send: never one of ours.
    if (allowed.has(origin)) return;
    throw new AppError(
      "forbidden",
      "origin",
      `Cross-site request refused: ${origin} is not this app's origin (${[...allowed][0]}). Set ASSAY_PUBLIC_URL to the URL people open Assay at.`,
    );
  }
  const site = headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") {
    throw new AppError("forbidden", "origin", `Cross-site request refused (Sec-Fetch-Site: ${site}).`);
  }
}

/**
 * Routes that take a body other than JSON: better-auth's own endpoints (it parses what it accepts) and the suite
 * import, which streams CSV/JSONL as the raw body.
 */
export function acceptsNonJsonBody(pathname: string): boolean {
  return pathname.startsWith("/api/auth/") || /^\/api\/suites\/[^/]+\/import\/?$/.test(pathname);
}

function hasBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  if (length !== null) return Number(length) > 0;
  return headers.has("transfer-encoding");
}

/**
 * JSON routes take only `application/json`: an HTML form or a "simple" cross-site fetch can send text/plain,
 * urlencoded or multipart bodies without a CORS preflight, never application/json. Body-less POSTs (cancel,
 * resume) need no type.
 */
export function assertJsonContentType(method: string, pathname: string, headers: Headers): void {
  if (!isStateChanging(method) || acceptsNonJsonBody(pathname)) return;
  const type = headers.get("content-type");
  if (type === null && !hasBody(headers)) return;
  const mediaType = type?.split(";")[0]?.trim().toLowerCase();
  if (mediaType === "application/json") return;
  throw new AppError(
    "unsupported_media_type",
    "content-type",
    `This endpoint takes Content-Type: application/json${type ? `, not ${mediaType}` : "; the request named none"}.`,
  );
}
