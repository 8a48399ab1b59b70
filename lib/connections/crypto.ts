import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import path from "node:path";
import { env } from "../env.ts";

// API keys at rest: AES-256-GCM under one master key per installation. The payload is versioned so the format (or
// the key) can change later without guessing what an old row holds.
const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// scrypt rather than a bare hash: ASSAY_SECRET may be a passphrase a person chose. The salt is fixed so the same
// secret gives the same key on every machine of a team; secrecy rests on the secret, not the salt.
const SCRYPT_SALT = "assay:master-key:v1";

export function encryptSecret(plain: string, key: Buffer): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(":");
}

export function decryptSecret(payload: string, key: Buffer): string {
  assertKey(key);
  const parts = payload.split(":");
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new Error(`Cannot decrypt the stored API key: unknown format (expected "${VERSION}:<iv>:<tag>:<ciphertext>").`);
  }
  const iv = Buffer.from(parts[1] ?? "", "base64url");
  const tag = Buffer.from(parts[2] ?? "", "base64url");
  const ciphertext = Buffer.from(parts[3] ?? "", "base64url");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new Error("Cannot decrypt the stored API key: the payload is damaged (wrong IV or tag length).");
  }
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    // GCM cannot tell a changed master key from altered data: both fail the authentication tag.
    throw new Error(
      "Cannot decrypt the stored API key: it was altered, or it was encrypted under a different master key " +
        "(ASSAY_SECRET or .assay/secret changed). Enter the key again.",
    );
  }
}

export function deriveMasterKey(secret: string): Buffer {
  return scryptSync(secret, SCRYPT_SALT, KEY_BYTES, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
}

/**
 * The master key from a secret string when given, else from `<home>/secret`, which is created with 32 random bytes
 * (mode 0600) on first use. Two processes starting together agree on one file: creation is exclusive.
 */
export async function masterKeyFrom(source: { secret?: string; home: string }): Promise<Buffer> {
  if (source.secret) return deriveMasterKey(source.secret);
  const file = path.resolve(source.home, "secret");
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(file, "wx", 0o600);
    const key = randomBytes(KEY_BYTES);
    try {
      await handle.writeFile(key);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const key = await readKeyFile(file);
  return key;
}

async function readKeyFile(file: string): Promise<Buffer> {
  // Another process may have just created it and not written it yet.
  for (let attempt = 0; attempt < 20; attempt++) {
    const key = await readFile(file);
    if (key.length === KEY_BYTES) return key;
    if (key.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const length = (await readFile(file)).length;
  throw new Error(`${file} holds ${length} bytes; a master key is exactly ${KEY_BYTES}. Restore the original file or set ASSAY_SECRET.`);
}

let cached: Promise<Buffer> | undefined;

/** The installation's master key (ASSAY_SECRET, or <ASSAY_HOME>/secret), loaded once per process. */
export function loadMasterKey(): Promise<Buffer> {
  cached ??= masterKeyFrom({ secret: env.ASSAY_SECRET, home: env.ASSAY_HOME }).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`The master key must be ${KEY_BYTES} bytes, got ${key.length}.`);
}
