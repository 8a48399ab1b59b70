import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createShareToken, hashShareToken, isShareTokenShape, shareUrlPath } from "../../../lib/share-links/token.ts";

describe("share tokens", () => {
  it("are 256 random bits in base64url (43 characters), a different one each time", () => {
    const tokens = Array.from({ length: 200 }, () => createShareToken());
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, "base64url")).toHaveLength(32);
    }
    expect(new Set(tokens).size).toBe(200);
  });

  it("are stored as their SHA-256 in hex, which is not the token", () => {
    const token = createShareToken();
    expect(hashShareToken(token)).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hashShareToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashShareToken(token)).not.toContain(token);
  });

  it("are recognised by shape before any lookup, and make the /s/<token> path", () => {
    const token = createShareToken();
    expect(isShareTokenShape(token)).toBe(true);
    expect(isShareTokenShape(token.slice(1))).toBe(false);
    expect(isShareTokenShape(`${token.slice(1)}=`)).toBe(false);
    expect(isShareTokenShape("../../etc/passwd")).toBe(false);
    expect(shareUrlPath(token)).toBe(`/s/${token}`);
  });
});
