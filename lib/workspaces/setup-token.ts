import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { env } from "../env.ts";
import { AppError } from "../errors.ts";
import { isLoopbackHost } from "../net/outbound-policy.ts";

// When Assay listens beyond this machine and has no owner yet, whoever reaches /setup first would own it. As Jupyter
// does, `assay start` then prints a one-time token: setup requires it. The token itself is shown only in that console;
// ASSAY_HOME holds its SHA-256, which the web process (another process) checks and deletes once the owner exists.

export const SETUP_TOKEN_FILE = "setup-token";

/** How people reach this install: the listen address, the proxies in front (ASSAY_TRUST_PROXY) and ASSAY_PUBLIC_URL. */
export interface Exposure {
  host: string;
  trustedProxies?: number;
  publicUrl?: string | undefined;
}

/**
 * Whether someone other than this machine's user can reach /setup: the app listens beyond loopback, or a reverse
 * proxy forwards to its loopback port (the README's way to expose it: a trusted proxy, or a public URL on another
 * host). Any of these needs the token.
 */
export function setupTokenRequired(exposure: Exposure): boolean {
  if (!isLoopbackHost(exposure.host)) return true;
  if ((exposure.trustedProxies ?? 0) > 0) return true;
  return exposure.publicUrl !== undefined && !isLoopbackHost(new URL(exposure.publicUrl).hostname);
}

/** This process's exposure, from its environment (`assay start` passes --host on as ASSAY_HOST). */
export function configuredExposure(): Exposure {
  return { host: env.ASSAY_HOST, trustedProxies: env.ASSAY_TRUST_PROXY, publicUrl: env.ASSAY_PUBLIC_URL };
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** A new token (256 random bits); its hash replaces any earlier one. */
export async function issueSetupToken(home: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await writeFile(path.join(home, SETUP_TOKEN_FILE), digest(token).toString("hex"), { mode: 0o600 });
  return token;
}

export async function discardSetupToken(home: string): Promise<void> {
  await rm(path.join(home, SETUP_TOKEN_FILE), { force: true });
}

const WHERE = "the link `npm start` printed in its console (…/setup?token=…)";

/** Throws a 403 unless `token` is the one `assay start` issued. */
export async function checkSetupToken(home: string, token: string | undefined): Promise<void> {
  if (!token) {
    throw new AppError(
      "forbidden",
      "setup-token",
      `This Assay is reachable from the network, so setting it up needs the one-time setup token: open ${WHERE}.`,
      [{ path: "token", message: "required" }],
    );
  }
  let stored: string;
  try {
    stored = (await readFile(path.join(home, SETUP_TOKEN_FILE), "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new AppError("forbidden", "setup-token", "No setup token has been issued: restart Assay with `npm start`, which prints one.", [
      { path: "token", message: "no token issued" },
    ]);
  }
  const expected = Buffer.from(stored, "hex");
  const given = digest(token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new AppError("forbidden", "setup-token", `The setup token is wrong or already used: open ${WHERE}.`, [
      { path: "token", message: "wrong token" },
    ]);
  }
}
