import { NextResponse, type NextRequest } from "next/server";
import { guardRequest } from "@/lib/http/guard-request";
import { applySecurityHeaders } from "@/lib/http/security-headers";

// Next 16's request hook (formerly middleware.ts): CSRF and content-type checks on API writes, and the security
// headers with a per-request CSP nonce on every response. The rules live in lib/http/guard-request.ts.

export function proxy(request: NextRequest) {
  const outcome = guardRequest(request.method, request.nextUrl.pathname, request.headers);
  if (outcome.refusal) return outcome.refusal;
  const response = NextResponse.next({ request: { headers: outcome.requestHeaders } });
  applySecurityHeaders(response.headers, outcome.policy);
  return response;
}

export const config = {
  matcher: [
    // Everything but hashed static assets and the suite import. The import streams files of up to hundreds of MB:
    // Next would buffer the body for the proxy and cut it at 10 MB, so that route runs the same checks itself
    // (withRequestGuard in app/api/suites/[id]/import/route.ts).
    "/((?!_next/static/|_next/image|favicon\\.ico|api/suites/[^/]+/import/?$).*)",
  ],
};
