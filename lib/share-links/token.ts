import { createHash, randomBytes } from "node:crypto";

// A share token is 32 random bytes (256 bits), base64url. Only its SHA-256 is stored: a database dump or a backup
// does not hold a working link, and looking a token up by its hash needs no constant-time comparison (the lookup is
// by a unique index on a value the caller cannot choose the preimage of).

const TOKEN_BYTES = 32;
/** base64url of 32 bytes, without padding */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function createShareToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

export function hashShareToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Whether a string could be a token this module made (anything else is "unknown" without a query). */
export function isShareTokenShape(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function shareUrlPath(token: string): string {
  return `/s/${token}`;
}
