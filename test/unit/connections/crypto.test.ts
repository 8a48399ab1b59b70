import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createCipheriv } from "node:crypto";
import {
  associatedData,
  decryptSecret,
  deriveMasterKey,
  encryptSecret,
  masterKeyFrom,
  payloadVersion,
  type KeyBinding,
} from "../../../lib/connections/crypto.ts";
import { AppError } from "../../../lib/errors.ts";

const key = randomBytes(32);
const apiKey = "sk-proj-Zx9vQ2mT7bL4nR8wK1yH3cF6dJ0aS5gE";
const binding: KeyBinding = { workspaceId: "ws_alpha", connectionId: "conn_one", origin: "https://api.openai.com" };

function flipByte(payload: string, part: 1 | 2 | 3, index = 0): string {
  const parts = payload.split(":");
  const bytes = Buffer.from(parts[part] ?? "", "base64url");
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(":");
}

/** A payload exactly as the v1 code wrote it (no associated data), built here so v1 compatibility is tested against the format, not against our own encoder. */
function legacyV1(plain: string, masterKey: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(":");
}

function caught(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("encryptSecret / decryptSecret", () => {
  it("round-trips a key, including non-ASCII text", () => {
    expect(decryptSecret(encryptSecret(apiKey, key, binding), key, binding)).toBe(apiKey);
    expect(decryptSecret(encryptSecret("clé-ü-🔑", key, binding), key, binding)).toBe("clé-ü-🔑");
  });

  it("writes v2:<iv>:<tag>:<ciphertext> in base64url, never the key itself, with a fresh IV each time", () => {
    const first = encryptSecret(apiKey, key, binding);
    const second = encryptSecret(apiKey, key, binding);
    expect(first).toMatch(/^v2:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(payloadVersion(first)).toBe("v2");
    expect(first).not.toContain(apiKey);
    expect(first).not.toContain(Buffer.from(apiKey).toString("base64url"));
    expect(first).not.toBe(second);
  });

  it.each([
    ["IV", 1],
    ["tag", 2],
    ["ciphertext", 3],
  ] as const)("detects a flipped bit in the %s", (_name, part) => {
    const tampered = flipByte(encryptSecret(apiKey, key, binding), part);
    expect(() => decryptSecret(tampered, key, binding)).toThrow(/master key changed .* or the stored key was altered or copied from another connection/);
  });

  it("refuses to decrypt under another master key, as an AppError key_unreadable that says to re-enter the key", () => {
    const payload = encryptSecret(apiKey, key, binding);
    const error = caught(() => decryptSecret(payload, randomBytes(32), binding, 'The stored API key of "OpenAI"'));
    expect(error.code).toBe("key_unreadable");
    expect(error.message).toBe(
      'The stored API key of "OpenAI" cannot be read: the master key changed (ASSAY_SECRET or .assay/secret is not the one ' +
        "it was saved under), or the stored key was altered or copied from another connection. Enter the key again.",
    );
    expect(error.details).toEqual([{ path: "apiKey", message: "Enter the key again" }]);
    expect(error.message).not.toContain(payload.split(":")[3]);
  });

  it.each([
    ["another connection", { ...binding, connectionId: "conn_two" }],
    ["another workspace", { ...binding, workspaceId: "ws_beta" }],
    ["another origin", { ...binding, origin: "https://attacker.example" }],
  ])("binds a v2 payload to its record: moved to %s it cannot be decrypted", (_name, other) => {
    const payload = encryptSecret(apiKey, key, binding);
    expect(caught(() => decryptSecret(payload, key, other)).code).toBe("key_unreadable");
    expect(decryptSecret(payload, key, binding)).toBe(apiKey);
  });

  it("encodes the associated data unambiguously: ids that join to the same text are different bindings", () => {
    const one: KeyBinding = { workspaceId: "a:b", connectionId: "c", origin: "https://x" };
    const two: KeyBinding = { workspaceId: "a", connectionId: "b:c", origin: "https://x" };
    expect(associatedData(one).equals(associatedData(two))).toBe(false);
    expect(caught(() => decryptSecret(encryptSecret(apiKey, key, one), key, two)).code).toBe("key_unreadable");
  });

  it("still decrypts a v1 payload (no associated data), whatever the binding", () => {
    const payload = legacyV1(apiKey, key);
    expect(payloadVersion(payload)).toBe("v1");
    expect(decryptSecret(payload, key, binding)).toBe(apiKey);
    expect(decryptSecret(payload, key, { ...binding, connectionId: "conn_two" })).toBe(apiKey);
    expect(caught(() => decryptSecret(payload, randomBytes(32), binding)).code).toBe("key_unreadable");
  });

  it("says what is wrong with a payload that is not in the format, as key_unreadable", () => {
    expect(caught(() => decryptSecret("sk-plaintext", key, binding)).message).toMatch(/unknown format/);
    expect(caught(() => decryptSecret("v3:AAAA:BBBB:CCCC", key, binding)).message).toMatch(/unknown format/);
    expect(caught(() => decryptSecret("v2:AAAA:BBBB:CCCC", key, binding)).message).toMatch(/damaged/);
    expect(payloadVersion("sk-plaintext")).toBeNull();
    expect(() => encryptSecret(apiKey, randomBytes(16), binding)).toThrow(/must be 32 bytes/);
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
