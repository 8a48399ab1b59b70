// The security headers every response carries (set by proxy.ts). Scripts run only with the per-request nonce that
// Next.js reads from the request's Content-Security-Policy header and puts on its own <script> tags; 'strict-dynamic'
// lets those scripts load the page's chunks. Styles keep 'unsafe-inline': React `style={…}` attributes (progress bars,
// virtualized rows, CodeMirror's measured layout) and CodeMirror's injected <style> elements cannot carry a nonce, and
// a nonce in style-src would switch 'unsafe-inline' off. Inline styles cannot run code, so this leaves script
// injection closed. See docs/decisions.md, "Content-Security-Policy with nonces".

export interface PolicyOptions {
  /** next dev: React rebuilds server error stacks with eval, so 'unsafe-eval' is needed there and only there */
  development: boolean;
  /** ASSAY_PUBLIC_URL is https: ask the browser to fetch every subresource over https too */
  https: boolean;
}

export function contentSecurityPolicy(nonce: string, options: PolicyOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** The headers besides the CSP; the same on pages, API answers and errors. */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  // Full URLs (prompt and run ids) stay inside the app; other sites learn only the origin, and nothing over http.
  "Referrer-Policy": "strict-origin-when-cross-origin",
  // frame-ancestors 'none' for browsers that predate CSP level 2
  "X-Frame-Options": "DENY",
};

/** 128 random bits, base64: unguessable and unique per request, as CSP nonces must be. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export function applySecurityHeaders(headers: Headers, policy: string): void {
  headers.set("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) headers.set(name, value);
}
