import { createHmac } from "node:crypto";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { publicUrl } from "../env.ts";
import { allowedOrigins } from "../http/request-guard.ts";
import { db } from "../db.ts";
import { loadMasterKey } from "../connections/crypto.ts";

// Accounts and sessions are better-auth's (scrypt password hashes, signed session cookies): no home-made crypto.
// Its secret is derived from the master key, so one secret (ASSAY_SECRET or .assay/secret) protects everything.

function createAuth(secret: string) {
  // the same origins proxy.ts lets write to the API
  const origins = allowedOrigins();
  return betterAuth({
    appName: "Assay",
    baseURL: publicUrl(),
    secret,
    trustedOrigins: [...origins],
    database: prismaAdapter(db, { provider: "postgresql" }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, autoSignIn: true },
    session: { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24, cookieCache: { enabled: true, maxAge: 60 } },
    telemetry: { enabled: false },
    // Email sign-in has its own limit, per account and per client address and kept in PostgreSQL
    // (lib/auth/sign-in-limit.ts). better-auth's would add a second, in-memory one, shared by every client here
    // (no trusted address): 3 attempts per 10 s for the whole install.
    rateLimit: { customRules: { "/sign-in/email": false } },
    advanced: { useSecureCookies: publicUrl().startsWith("https://") },
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { assayAuth?: Promise<Auth> };

export function getAuth(): Promise<Auth> {
  globalForAuth.assayAuth ??= loadMasterKey().then((key) =>
    createAuth(createHmac("sha256", key).update("assay:better-auth").digest("base64url")),
  );
  return globalForAuth.assayAuth;
}
