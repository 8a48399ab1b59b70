import { AppError, errorBody, httpStatusOf } from "../errors.ts";
import { env, publicUrl } from "../env.ts";
import { assertAllowedOrigin, assertJsonContentType } from "./request-guard.ts";
import { applySecurityHeaders, contentSecurityPolicy, createNonce } from "./security-headers.ts";
import { PAGE_PATH_HEADER, WORKSPACE_HEADER, workspaceSlugOf } from "../workspaces/paths.ts";

// What proxy.ts does for every request but static assets: refuse cross-site and non-JSON API writes, and put the
// security headers (with a fresh CSP nonce) on the request, for Next's renderer, and on the response.

export type GuardOutcome =
  | { refusal: Response }
  | { refusal: null; requestHeaders: Headers; policy: string };

function currentPolicy(): string {
  return contentSecurityPolicy(createNonce(), {
    development: env.NODE_ENV === "development",
    https: publicUrl().startsWith("https:"),
  });
}

function refusal(error: AppError, policy: string): Response {
  const response = Response.json(errorBody(error), { status: httpStatusOf(error) });
  applySecurityHeaders(response.headers, policy);
  return response;
}

export function guardRequest(method: string, pathname: string, headers: Headers, search = ""): GuardOutcome {
  const policy = currentPolicy();
  if (pathname.startsWith("/api/")) {
    try {
      assertAllowedOrigin(method, headers);
      assertJsonContentType(method, pathname, headers);
    } catch (error) {
      if (error instanceof AppError) return { refusal: refusal(error, policy) };
      throw error;
    }
  }
  const requestHeaders = new Headers(headers);
  const workspace = workspaceFor(pathname, headers);
  if (workspace) requestHeaders.set(WORKSPACE_HEADER, workspace);
  else requestHeaders.delete(WORKSPACE_HEADER);
  // The page asked for, so a signed-out visitor of a pasted link comes back to it after signing in (requireMember).
  requestHeaders.set(PAGE_PATH_HEADER, `${pathname}${search}`);
  // Next.js takes the nonce for its own <script> tags from the request's CSP header.
  requestHeaders.set("content-security-policy", policy);
  return { refusal: null, requestHeaders, policy };
}

/**
 * The workspace a request is for: a page names it in its URL (/w/<slug>/…, which wins over anything the client sent);
 * an API call sends it in x-assay-workspace (api() does), or, for a plain link such as an export download, it is the
 * workspace of the page the link was on (the Referer). Membership is checked later (lookupMember): this only chooses
 * among the caller's own workspaces.
 */
function workspaceFor(pathname: string, headers: Headers): string | null {
  const fromPage = workspaceSlugOf(pathname);
  if (fromPage) return fromPage;
  if (!pathname.startsWith("/api/")) return null;
  const sent = headers.get(WORKSPACE_HEADER);
  if (sent) return sent;
  const referer = headers.get("referer");
  if (!referer || !URL.canParse(referer)) return null;
  return workspaceSlugOf(new URL(referer).pathname);
}

type RouteHandler<Context> = (request: Request, context: Context) => Promise<Response>;

/**
 * The same checks for a route the proxy must not see: Next buffers a request body for the proxy (and cuts it at
 * proxyClientMaxBodySize), so the streamed suite import skips the proxy and runs these itself.
 */
export function withRequestGuard<Context>(handler: RouteHandler<Context>): RouteHandler<Context> {
  return async (request, context) => {
    const outcome = guardRequest(request.method, new URL(request.url).pathname, request.headers);
    if (outcome.refusal) return outcome.refusal;
    const response = await handler(request, context);
    const guarded = new Response(response.body, response);
    applySecurityHeaders(guarded.headers, outcome.policy);
    return guarded;
  };
}
