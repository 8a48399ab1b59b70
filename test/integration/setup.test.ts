import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";

// Issue #9: owner creation is one transaction under a lock, and on a network it needs the one-time setup token.
process.env.DATABASE_URL = await isolatedDatabase("setup");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";

const { db } = await import("../../lib/db.ts");
const { errorBody, httpStatusOf } = await import("../../lib/errors.ts");
const { setupOwner } = await import("../../lib/workspaces/setup.ts");
const { issueSetupToken, SETUP_TOKEN_FILE } = await import("../../lib/workspaces/setup-token.ts");

let home: string;
let token: string;
const network = () => ({ host: "0.0.0.0", home });

const owner = (index: number, extra: { token?: string } = {}) => ({
  name: `Owner ${index}`,
  email: `owner-${index}@assay.test`,
  password: "correct horse battery",
  workspaceName: `Workspace ${index}`,
  ...extra,
});

/** The HTTP status and body /api/setup would answer. */
async function attempt(
  input: ReturnType<typeof owner>,
  place: Parameters<typeof setupOwner>[1] = network(),
): Promise<{ status: number; message: string }> {
  try {
    const response = await setupOwner(input, place);
    return { status: response.status, message: "" };
  } catch (error) {
    return { status: httpStatusOf(error), message: errorBody(error).error.message };
  }
}

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), "assay-setup-test-"));
  token = await issueSetupToken(home);
});

describe("setup on a network needs the one-time token printed by assay start", () => {
  it("refuses setup without the token, or with a wrong one, with 403 and creates nothing", async () => {
    const missing = await attempt(owner(0));
    expect(missing.status).toBe(403);
    expect(missing.message).toContain("one-time setup token");
    const wrong = await attempt(owner(0, { token: "not-the-token" }));
    expect(wrong.status).toBe(403);
    expect(wrong.message).toContain("setup token is wrong");
    expect(await db.user.count()).toBe(0);
  });

  it("needs the token behind a reverse proxy too, though the app listens on loopback", async () => {
    const proxied = await attempt(owner(0), { host: "127.0.0.1", trustedProxies: 1, home });
    expect(proxied.status).toBe(403);
    expect(proxied.message).toContain("one-time setup token");
    const published = await attempt(owner(0), { host: "127.0.0.1", publicUrl: "https://assay.example.com", home });
    expect(published.status).toBe(403);
    expect(await db.user.count()).toBe(0);
  });
});

describe("setup under a lock", () => {
  it("gives five concurrent setups exactly one 201 and four 409s, and leaves one user, one login and one owner", async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((index) => attempt(owner(index, { token }))));
    expect(results.map((result) => result.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(results.filter((result) => result.status === 409).map((result) => result.message)).toEqual(
      Array(4).fill("Assay is already set up; sign in instead."),
    );
    expect(await db.user.count()).toBe(1);
    expect(await db.account.count()).toBe(1);
    expect(await db.membership.findMany({ select: { role: true } })).toEqual([{ role: "owner" }]);
  });

  it("uses the token once: its hash is deleted, and setup stays closed", async () => {
    expect(existsSync(path.join(home, SETUP_TOKEN_FILE))).toBe(false);
    expect((await attempt(owner(6, { token }))).status).toBe(409);
  });

  it("signs the owner in with the password given at setup", async () => {
    const { getAuth } = await import("../../lib/auth/auth.ts");
    const user = await db.user.findFirstOrThrow();
    const signIn = await (await getAuth()).api.signInEmail({ body: { email: user.email, password: "correct horse battery" }, asResponse: true });
    expect(signIn.status).toBe(200);
  });
});
