import { describe, expect, inject, it } from "vitest";
import { apiRoutes, urlOf } from "../support/api-routes.ts";
import { ensureOwner } from "../support/browser.ts";

// Issue #2: once the owner exists, every page and API route needs a signed-in member, except /api/health, the login
// page and static assets. The routes are read from app/api, so a route added later is checked without editing this.
// What each role may do once signed in is access-roles.test.ts.

const appUrl = inject("appUrl");
// invitations/sign-up is public: a new person with an invitation link creates their account there (issue #10)
const PUBLIC_ROUTES = new Set(["health", "auth/[...all]", "setup", "invitations/sign-up"]);
/** A share link's read API: the token in the URL is the credential; an unknown token opens nothing (404). */
const isShareRoute = (route: string) => route.startsWith("s/");
/** The release gateway (issue #11) is for applications: a gateway key is its credential, never a session. */
const isGatewayRoute = (route: string) => route.startsWith("gateway/");

describe("access without a session", () => {
  it("answers 401 on every API route but health, auth and setup", async () => {
    await ensureOwner(appUrl);
    const routes = await apiRoutes();
    expect(routes.length).toBeGreaterThan(30);
    const answers: string[] = [];
    for (const { route, methods } of routes) {
      if (PUBLIC_ROUTES.has(route) || isShareRoute(route) || isGatewayRoute(route)) continue;
      expect(methods.length, `${route} exports no handler`).toBeGreaterThan(0);
      for (const method of methods) {
        const response = await fetch(urlOf(appUrl, route), {
          method,
          redirect: "manual",
          headers: { "content-type": "application/json", origin: appUrl },
          ...(method === "GET" ? {} : { body: "{}" }),
        });
        answers.push(`${method} /api/${route} → ${response.status}`);
        if (response.status === 401) {
          expect((await response.json()) as unknown).toMatchObject({ error: { message: expect.stringContaining("Sign in") } });
        }
      }
    }
    expect(answers.filter((answer) => !answer.endsWith("→ 401"))).toEqual([]);
  });

  it("answers every gateway route without a gateway key with OpenAI's 401 invalid_api_key", async () => {
    const routes = (await apiRoutes()).filter(({ route }) => isGatewayRoute(route));
    expect(routes.map(({ route }) => route).sort()).toEqual([
      "gateway/v1/chat/completions",
      "gateway/v1/feedback",
      "gateway/v1/interactions",
      "gateway/v1/models",
    ]);
    const answers: string[] = [];
    for (const { route, methods } of routes) {
      for (const method of methods) {
        const response = await fetch(urlOf(appUrl, route), {
          method,
          headers: { "content-type": "application/json" },
          ...(method === "GET" ? {} : { body: "{}" }),
        });
        const body = (await response.json()) as { error?: { code?: string } };
        answers.push(`${method} /api/${route} → ${response.status} ${body.error?.code}`);
      }
    }
    expect(answers.filter((answer) => !answer.endsWith("→ 401 invalid_api_key"))).toEqual([]);
  });

  it("answers 404 on every share-link route for a token that opens nothing, with or without a session", async () => {
    const routes = (await apiRoutes()).filter(({ route }) => isShareRoute(route));
    expect(routes.map(({ route }) => route)).toEqual(expect.arrayContaining(["s/[token]/compare/case", "s/[token]/runs/[id]/results"]));
    const answers: string[] = [];
    for (const { route, methods } of routes) {
      for (const method of methods) {
        const response = await fetch(urlOf(appUrl, route), {
          method,
          headers: { "content-type": "application/json", origin: appUrl },
          ...(method === "GET" ? {} : { body: "{}" }),
        });
        const body = (await response.json()) as { error?: { message?: string } };
        answers.push(`${method} /api/${route} → ${response.status} ${body.error?.message ?? ""}`);
      }
    }
    expect(answers.filter((answer) => !answer.endsWith("→ 404 This link does not exist."))).toEqual([]);
  });

  it("keeps health open, and setup closed once the owner exists", async () => {
    const health = await fetch(`${appUrl}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const setup = await fetch(`${appUrl}/api/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Mallory", email: "mallory@example.com", password: "a long enough password", workspaceName: "Takeover" }),
    });
    expect(setup.status).toBe(409);
  });

  it("sends every page to the login page", async () => {
    for (const page of ["/", "/prompts", "/suites", "/runs", "/runs/new", "/compare", "/connections", "/models", "/prompts/no-such-id", "/runs/no-such-id", "/no-workspace"]) {
      const response = await fetch(`${appUrl}${page}`);
      expect(response.redirected, page).toBe(true);
      expect(new URL(response.url).pathname, page).toBe("/login");
      expect(response.status, page).toBe(200);
    }
  });

  it("brings a signed-out visitor of a pasted link back to it after sign-in (?next= names the page and its query)", async () => {
    const response = await fetch(`${appUrl}/w/acme-research/runs/run-123?tab=errors`);
    const landed = new URL(response.url);
    expect(landed.pathname).toBe("/login");
    expect(landed.searchParams.get("next")).toBe("/w/acme-research/runs/run-123?tab=errors");
  });
});
