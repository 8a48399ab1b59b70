import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";

// Issue #9: sign-in is limited per account and per client address, and the counts live in PostgreSQL.
process.env.DATABASE_URL = await isolatedDatabase("sign_in_limit");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";

const { db } = await import("../../lib/db.ts");
const { getAuth } = await import("../../lib/auth/auth.ts");
const { handleAuthRequest } = await import("../../lib/auth/auth-route.ts");
const limit = await import("../../lib/auth/sign-in-limit.ts");

const root = path.resolve(import.meta.dirname, "../..");
const PASSWORD = "correct horse battery";
const LOCKED = "locked@assay.test";
const RESET = "reset@assay.test";

function signIn(email: string, password: string): Promise<Response> {
  return handleAuthRequest(
    new Request("http://localhost:3000/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    }),
  );
}

async function keysOf(): Promise<Record<string, number>> {
  const rows = await db.signInAttempt.groupBy({ by: ["key"], _count: { _all: true } });
  return Object.fromEntries(rows.map((row) => [row.key, row._count._all]));
}

beforeAll(async () => {
  const auth = await getAuth();
  for (const email of [LOCKED, RESET]) await auth.api.signUpEmail({ body: { name: email, email, password: PASSWORD } });
});

describe("sign-in limit", () => {
  it("refuses the sixth wrong password for an account with 429, Retry-After and 'try again in N s', stored as rows", async () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await signIn(LOCKED, "wrong password")).status, `attempt ${attempt}`).toBe(401);
    }
    const refused = await signIn(LOCKED, "wrong password");
    expect(refused.status).toBe(429);
    const retryAfter = refused.headers.get("retry-after");
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(900);
    expect(await refused.json()).toEqual({
      error: { code: "rate_limit", subject: "sign-in", message: `Too many sign-in attempts; try again in ${retryAfter} s.`, details: [] },
    });
    // the refused attempt itself is not stored: five failures, in the database; with no trusted proxy the client's
    // address is unknown, so nothing is counted against an address
    expect(await keysOf()).toEqual({ [`account:${LOCKED}`]: 5 });
  });

  it("refuses the correct password too while the account is locked", async () => {
    expect((await signIn(LOCKED, PASSWORD)).status).toBe(429);
    expect((await signIn(LOCKED.toUpperCase(), PASSWORD)).status).toBe(429);
  });

  it("holds in another process: a fresh process reading the same database refuses the account", () => {
    const script = `
      const limit = await import(${JSON.stringify(path.join(root, "lib/auth/sign-in-limit.ts"))});
      const outcome = await limit.reserveSignIn(limit.signInKeys(${JSON.stringify(LOCKED)}, "direct"));
      process.stdout.write(JSON.stringify({ refused: outcome.reservation === null }));
      process.exit(0);`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
      env: { ...process.env },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({ refused: true });
  });

  it("clears an account's failures when it signs in with the right password", async () => {
    for (let attempt = 1; attempt <= 4; attempt++) expect((await signIn(RESET, "wrong password")).status).toBe(401);
    expect((await signIn(RESET, PASSWORD)).status).toBe(200);
    const keys = await keysOf();
    expect(keys[`account:${RESET}`]).toBeUndefined();
    expect(keys["address:direct"]).toBeUndefined();
  });

  it("refuses the 21st failure from one address, even for an account with no failures", async () => {
    const wrong = async () => new Response(JSON.stringify({ message: "Invalid email or password" }), { status: 401 });
    const attempt = (email: string) =>
      limit.limitedSignIn(
        new Request("http://localhost:3000/api/auth/sign-in/email", { method: "POST", body: JSON.stringify({ email, password: "x" }) }),
        "203.0.113.7",
        wrong,
      );
    for (let index = 0; index < 20; index++) expect((await attempt(`spray-${index}@assay.test`)).status).toBe(401);
    expect((await attempt("fresh@assay.test")).status).toBe(429);
    expect((await attempt("fresh@assay.test")).status).toBe(429);
    expect((await keysOf())["address:203.0.113.7"]).toBe(20);
  });

  it("without a trusted proxy, wrong passwords for many accounts do not lock out anyone else (no shared 'direct' bucket)", async () => {
    for (let index = 0; index < 25; index++) expect((await signIn(`nobody-${index}@assay.test`, "wrong password")).status).toBe(401);
    expect((await signIn(RESET, PASSWORD)).status).toBe(200);
  });

  it("refuses a sign-in body over 16 KB with 413 before reading it as JSON, and records nothing", async () => {
    const before = await keysOf();
    const response = await signIn(LOCKED, "x".repeat(2 * 1024 * 1024));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect(await keysOf()).toEqual(before);
  });

  it("says exactly when the account frees up: one minute after five failures, 14 minutes remain", async () => {
    const keys = limit.signInKeys("clock@assay.test", "198.51.100.1");
    const start = new Date("2026-01-01T10:00:00Z");
    await db.signInAttempt.createMany({ data: Array.from({ length: 5 }, () => ({ key: keys.account, createdAt: start })) });
    const outcome = await limit.reserveSignIn(keys, new Date("2026-01-01T10:01:00Z"));
    expect(outcome).toEqual({ reservation: null, retryAfterSeconds: 840 });
    const later = await limit.reserveSignIn(keys, new Date("2026-01-01T10:15:00Z"));
    expect(later.retryAfterSeconds).toBeNull();
  });
});
