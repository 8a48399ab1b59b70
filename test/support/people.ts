import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import type { Browser, BrowserContext } from "playwright-core";
import type { PrismaClient } from "../../lib/db.ts";

// Teammates for browser and API tests: accounts written as better-auth writes them, signed in through the real
// endpoint, and browser contexts that carry their session cookie.

export const PASSWORD = "teammate password 1";

/** A credential account written as better-auth writes one (its scrypt hash), replacing an earlier one of that email. */
export async function createUser(db: PrismaClient, person: { name: string; email: string }, password = PASSWORD): Promise<string> {
  await db.user.deleteMany({ where: { email: person.email } });
  const id = randomUUID();
  await db.user.create({
    data: {
      id,
      name: person.name,
      email: person.email,
      emailVerified: true,
      accounts: { create: { id: randomUUID(), accountId: id, providerId: "credential", password: await hashPassword(password) } },
    },
  });
  return id;
}

/**
 * The session cookie of a sign-in through the real endpoint. Several people signing in from one address within
 * seconds meet the sign-in rate limit's 429 and the seconds to wait: this waits as told (a few times at most).
 */
export async function signIn(appUrl: string, email: string, password = PASSWORD): Promise<string> {
  let response: Response;
  for (let attempt = 1; ; attempt++) {
    response = await fetch(`${appUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: appUrl },
      body: JSON.stringify({ email, password }),
    });
    const wait = Number(response.headers.get("retry-after") ?? response.headers.get("x-retry-after") ?? "10");
    if (response.status !== 429 || attempt === 4) break;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, (Math.min(Number.isFinite(wait) ? wait : 10, 60) + 1) * 1000));
  }
  if (!response.ok) throw new Error(`sign-in of ${email} failed: ${response.status} ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

/** A browser context carrying a session cookie from signIn. */
export async function contextWithCookie(browser: Browser, appUrl: string, cookie: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
  const host = new URL(appUrl).hostname;
  await context.addCookies(
    cookie.split("; ").map((pair) => {
      const at = pair.indexOf("=");
      return { name: pair.slice(0, at), value: pair.slice(at + 1), domain: host, path: "/" };
    }),
  );
  return context;
}
