import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decryptSecret, deriveMasterKey, encryptSecret, masterKeyFrom } from "../../../lib/connections/crypto.ts";

const key = randomBytes(32);
const apiKey = "sk-proj-Zx9vQ2mT7bL4nR8wK1yH3cF6dJ0aS5gE";

function flipByte(payload: string, part: 1 | 2 | 3, index = 0): string {
  const parts = payload.split(":");
  const bytes = Buffer.from(parts[part] ?? "", "base64url");
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(":");
}

describe("encryptSecret / decryptSecret", () => {
  it("round-trips a key, including non-ASCII text", () => {
    expect(decryptSecret(encryptSecret(apiKey, key), key)).toBe(apiKey);
    expect(decryptSecret(encryptSecret("clé-ü-🔑", key), key)).toBe("clé-ü-🔑");
  });

  it("writes v1:<iv>:<tag>:<ciphertext> in base64url, never the key itself, with a fresh IV each time", () => {
    const first = encryptSecret(apiKey, key);
    const second = encryptSecret(apiKey, key);
    expect(first).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(first).not.toContain(apiKey);
    expect(first).not.toContain(Buffer.from(apiKey).toString("base64url"));
    expect(first).not.toBe(second);
  });

  it.each([
    ["IV", 1],
    ["tag", 2],
    ["ciphertext", 3],
  ] as const)("detects a flipped bit in the %s", (_name, part) => {
    const tampered = flipByte(encryptSecret(apiKey, key), part);
    expect(() => decryptSecret(tampered, key)).toThrow(/altered, or it was encrypted under a different master key/);
  });

  it("refuses to decrypt under another master key", () => {
    const payload = encryptSecret(apiKey, key);
    expect(() => decryptSecret(payload, randomBytes(32))).toThrow(/different master key/);
  });

  it("says what is wrong with a payload that is not in the format", () => {
    expect(() => decryptSecret("sk-plaintext", key)).toThrow(/unknown format/);
    expect(() => decryptSecret("v1:AAAA:BBBB:CCCC", key)).toThrow(/damaged/);
    expect(() => encryptSecret(apiKey, randomBytes(16))).toThrow(/must be 32 bytes/);
  });
});

describe("master key", () => {
  it("derives the same 32 bytes from the same ASSAY_SECRET, and different bytes from another", () => {
    const one = deriveMasterKey("correct horse battery staple");
    expect(one).toHaveLength(32);
    expect(deriveMasterKey("correct horse battery staple").equals(one)).toBe(true);
    expect(deriveMasterKey("correct horse battery stapler").equals(one)).toBe(false);
  });

  it("generates <home>/secret once, mode 0600, and reads the same key back", async () => {
    const home = path.join(await mkdtemp(path.join(os.tmpdir(), "assay-secret-")), ".assay");
    const [first, concurrent] = await Promise.all([masterKeyFrom({ home }), masterKeyFrom({ home })]);
    expect(first).toHaveLength(32);
    expect(concurrent.equals(first)).toBe(true);
    expect((await masterKeyFrom({ home })).equals(first)).toBe(true);
    const file = path.join(home, "secret");
    expect((await readFile(file)).equals(first)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("prefers ASSAY_SECRET over the file", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "assay-secret-"));
    const fromSecret = await masterKeyFrom({ home, secret: "a team-wide secret string" });
    expect(fromSecret.equals(deriveMasterKey("a team-wide secret string"))).toBe(true);
  });

  it("rejects a secret file of the wrong size instead of using a weak key", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "assay-secret-"));
    await writeFile(path.join(home, "secret"), "too short");
    await expect(masterKeyFrom({ home })).rejects.toThrow(/holds 9 bytes; a master key is exactly 32/);
  });
});
