import { createHash, randomBytes } from "node:crypto";

// 32 random bytes (256 bits) in the link; only the SHA-256 is stored, so a database dump opens no workspace. A fast
// hash suffices: the token has full entropy, there is nothing to brute-force as with a password.

export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashInvitationToken(token) };
}

export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
