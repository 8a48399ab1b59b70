import { describe, expect, it } from "vitest";
import { guardRequest } from "../../../lib/http/guard-request.ts";
import { assertAllowedOrigin, assertJsonContentType } from "../../../lib/http/request-guard.ts";
import { contentSecurityPolicy } from "../../../lib/http/security-headers.ts";

// Issue #9: state-changing API routes refuse other sites (403) and non-JSON bodies (415); every response carries the
// security headers. These are the rules proxy.ts applies; test/e2e/network.test.ts checks them on the running app.
const ALLOWED = new Set(["http://localhost:3000", "http://127.0.0.1:3000"]);
const headers = (values: Record<string, string>) => new Headers(values);

function refusal(run: () => void): { code: string; subject: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    return { code: (error as { code: string }).code, subject: (error as { subject: string }).subject };
  }
}

describe("cross-site API writes", () => {
  it("refuses a POST whose Origin is another site, or 'null', with forbidden/origin", () => {
    expect(refusal(() => assertAllowedOrigin("POST", headers({ origin: "https://evil.example" }), ALLOWED))).toEqual({ code: "forbidden", subject: "origin" });
    expect(refusal(() => assertAllowedOrigin("DELETE", headers({ origin: "null" }), ALLOWED))).toEqual({ code: "forbidden", subject: "origin" });
    expect(refusal(() => assertAllowedOrigin("PATCH", headers({ origin: "http://localhost:3001" }), ALLOWED))).toEqual({ code: "forbidden", subject: "origin" });
  });

  it("refuses a write without Origin that the browser marks cross-site or same-site", () => {
    expect(refusal(() => assertAllowedOrigin("POST", headers({ "sec-fetch-site": "cross-site" }), ALLOWED))).toEqual({ code: "forbidden", subject: "origin" });
    expect(refusal(() => assertAllowedOrigin("PUT", headers({ "sec-fetch-site": "same-site" }), ALLOWED))).toEqual({ code: "forbidden", subject: "origin" });
  });

  it("lets through the app's own pages, scripts without Origin (CLI, curl) and reads", () => {
    expect(refusal(() => assertAllowedOrigin("POST", headers({ origin: "http://127.0.0.1:3000", "sec-fetch-site": "same-origin" }), ALLOWED))).toBeNull();
    expect(refusal(() => assertAllowedOrigin("POST", headers({ "sec-fetch-site": "same-origin" }), ALLOWED))).toBeNull();
    expect(refusal(() => assertAllowedOrigin("POST", headers({}), ALLOWED))).toBeNull();
    expect(refusal(() => assertAllowedOrigin("GET", headers({ origin: "https://evil.example" }), ALLOWED))).toBeNull();
  });
});

describe("JSON routes take only application/json", () => {
  it("answers 415 to text/plain, form and multipart bodies, and to a body with no type", () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      expect(refusal(() => assertJsonContentType("POST", "/api/prompts", headers({ "content-type": type, "content-length": "2" }))), type).toEqual({
        code: "unsupported_media_type",
        subject: "content-type",
      });
    }
    expect(refusal(() => assertJsonContentType("POST", "/api/prompts", headers({ "content-length": "2" })))).toEqual({ code: "unsupported_media_type", subject: "content-type" });
  });

  it("accepts JSON with a charset, body-less POSTs, and the routes that take other bodies", () => {
    expect(refusal(() => assertJsonContentType("POST", "/api/prompts", headers({ "content-type": "application/json; charset=utf-8" })))).toBeNull();
    expect(refusal(() => assertJsonContentType("POST", "/api/runs/abc/cancel", headers({ "content-length": "0" })))).toBeNull();
    expect(refusal(() => assertJsonContentType("POST", "/api/suites/abc/import", headers({ "content-type": "text/csv", "content-length": "9" })))).toBeNull();
    expect(refusal(() => assertJsonContentType("POST", "/api/auth/sign-out", headers({ "content-type": "text/plain", "content-length": "0" })))).toBeNull();
  });
});

describe("security headers", () => {
  it("builds a nonce CSP that forbids framing, plugins and inline scripts, with eval only in development", () => {
    const production = contentSecurityPolicy("abc123", { development: false, https: false });
    expect(production).toBe(
      "default-src 'self'; script-src 'self' 'nonce-abc123' 'strict-dynamic'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(contentSecurityPolicy("abc123", { development: true, https: true })).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic' 'unsafe-eval'");
    expect(contentSecurityPolicy("abc123", { development: false, https: true })).toMatch(/; upgrade-insecure-requests$/);
  });

  it("refuses a cross-site write with a 403 in the API's error shape that still carries the headers", async () => {
    const outcome = guardRequest("POST", "/api/prompts", headers({ origin: "https://evil.example", "content-type": "application/json" }));
    if (!outcome.refusal) throw new Error("expected a refusal");
    expect(outcome.refusal.status).toBe(403);
    const body = (await outcome.refusal.json()) as { error: { code: string; subject: string; details: unknown[] } };
    expect(body.error).toMatchObject({ code: "forbidden", subject: "origin", details: [] });
    expect(outcome.refusal.headers.get("x-frame-options")).toBe("DENY");
    expect(outcome.refusal.headers.get("x-content-type-options")).toBe("nosniff");
    expect(outcome.refusal.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("gives each request a fresh nonce and hands the policy to Next's renderer in the request headers", () => {
    const first = guardRequest("GET", "/prompts", headers({}));
    const second = guardRequest("GET", "/prompts", headers({}));
    if (first.refusal || second.refusal) throw new Error("a page read is never refused");
    const nonce = (policy: string) => policy.match(/'nonce-([^']+)'/)?.[1];
    expect(nonce(first.policy)).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(nonce(first.policy)).not.toBe(nonce(second.policy));
    expect(first.requestHeaders.get("content-security-policy")).toBe(first.policy);
  });
});
