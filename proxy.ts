import { NextResponse, type NextRequest } from "next/server";
import { guardRequest } from "@/lib/http/guard-request";
import { applySecurityHeaders } from "@/lib/http/security-headers";
import { CURRENT_WORKSPACE, LAST_WORKSPACE_COOKIE, LEGACY_AREAS, workspacePath, workspaceSlugOf } from "@/lib/workspaces/paths";

// Next 16's request hook (formerly middleware.ts): CSRF and content-type checks on API writes, and the security
// headers with a per-request CSP nonce on every response. The rules live in lib/http/guard-request.ts.

const LEGACY_PAGE = new RegExp(`^/(${LEGACY_AREAS.join("|")})(/|$)`);

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  // Links from before workspaces were in URLs (/prompts/…) open the same page in the current workspace.
  if (LEGACY_PAGE.test(pathname)) {
    return NextResponse.redirect(new URL(`${workspacePath(CURRENT_WORKSPACE, pathname)}${search}`, request.url), 307);
  }
  const outcome = guardRequest(request.method, pathname, request.headers, search);
  if (outcome.refusal) return outcome.refusal;
  const response = NextResponse.next({ request: { headers: outcome.requestHeaders } });
  applySecurityHeaders(response.headers, outcome.policy);
  // Remember the last workspace opened: "/" and links that name none open it next time.
  const slug = workspaceSlugOf(pathname);
  if (slug && slug !== CURRENT_WORKSPACE && request.cookies.get(LAST_WORKSPACE_COOKIE)?.value !== slug) {
    response.cookies.set(LAST_WORKSPACE_COOKIE, slug, { path: "/", sameSite: "lax", httpOnly: true, maxAge: 365 * 24 * 3600 });
  }
  return response;
}

export const config = {
  matcher: [
    // Everything but hashed static assets and the suite import. The import streams files of up to hundreds of MB:
    // Next would buffer the body for the proxy and cut it at 10 MB, so that route runs the same checks itself
    // (withRequestGuard in app/api/suites/[id]/import/route.ts). The gateway (api/gateway/) is called with Bearer
    // keys, never cookies, so the CSRF/Origin rule has nothing to protect and a CSP nonce per answer is pure overhead
    // on the hot path: lib/gateway checks content type and body size itself.
    "/((?!_next/static/|_next/image|favicon\\.ico|api/suites/[^/]+/import/?$|api/gateway/).*)",
  ],
};
