import { createHash, randomBytes } from "node:crypto";

// A gateway key is "assay_gw_" + 32 random bytes in base64url. Only its SHA-256 is stored (GatewayKey.keyHash) with
// the first characters as `prefix` to recognise it in a list; the key itself is shown once, on creation.

export const GATEWAY_KEY_PREFIX = "assay_gw_";
const KEY_PATTERN = /^assay_gw_[A-Za-z0-9_-]{43}$/;

export function createGatewayKey(): { key: string; prefix: string; keyHash: string } {
  const key = `${GATEWAY_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, GATEWAY_KEY_PREFIX.length + 4), keyHash: hashGatewayKey(key) };
}

export function hashGatewayKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Whether a string could be a key this module made (anything else is a 401 without a lookup). */
export function isGatewayKeyShape(key: string): boolean {
  return KEY_PATTERN.test(key);
}
