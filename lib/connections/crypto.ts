import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { env } from "../env.ts";
import { AppError } from "../errors.ts";
import { createSecretFile } from "../runtime/secret-file.ts";

// API keys at rest: AES-256-GCM under one master key per installation. The payload is versioned so the format (or
// the key) can change later without guessing what an old row holds.
//   v1:<iv>:<tag>:<ciphertext>  no associated data (read only, re-encrypted at start by reencryptLegacyKeys)
//   v2:<iv>:<tag>:<ciphertext>  bound to its record: the workspace, the connection and the origin the key was saved
//                               for are authenticated as associated data, so a payload copied to another row, or a
//                               row whose key origin was edited in the database, fails to decrypt.
const VERSION = "v2";
const LEGACY_VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// scrypt rather than a bare hash: ASSAY_SECRET may be a passphrase a person chose. The salt is fixed so the same
// secret gives the same key on every machine of a team; secrecy rests on the secret, not the salt.
const SCRYPT_SALT = "assay:master-key:v1";
// Separates these payloads from anything else the master key may ever authenticate.
const AAD_DOMAIN = "assay:connection-api-key:v2";

/** The record an encrypted key belongs to; any change to it makes the payload unreadable. */
export interface KeyBinding {
  workspaceId: string;
  connectionId: string;
  /** scheme + host + port the key may be sent to (originOf) */
  origin: string;
}

export type PayloadVersion = typeof VERSION | typeof LEGACY_VERSION;

/**
 * Each field length-prefixed (4 bytes, big-endian) after a domain tag: no two different bindings give the same bytes,
 * whatever characters the ids hold (a plain join would make ("a:b", "c") and ("a", "b:c") collide).
 */
export function associatedData(binding: KeyBinding): Buffer {
  const parts = [AAD_DOMAIN, binding.workspaceId, binding.connectionId, binding.origin].map((part) => {
    const bytes = Buffer.from(part, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  });
  return Buffer.concat(parts);
}

export function encryptSecret(plain: string, key: Buffer, binding: KeyBinding): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(associatedData(binding));
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(":");
}

/** "v1", "v2", or null for a payload in no known format. */
export function payloadVersion(payload: string): PayloadVersion | null {
  const version = payload.slice(0, payload.indexOf(":"));
  return version === VERSION || version === LEGACY_VERSION ? version : null;
}

/**
 * The plain key. A v2 payload must have been sealed for exactly `binding`; a v1 payload carries no binding (it is
 * accepted until the start step re-encrypts it). Every failure is an AppError "key_unreadable" that says what to do,
 * and never holds the payload.
 */
export function decryptSecret(payload: string, key: Buffer, binding: KeyBinding, what = "The stored API key"): string {
  assertKey(key);
  const unreadable = (why: string) =>
    new AppError("key_unreadable", "connection", `${what} cannot be read: ${why}. Enter the key again.`, [
      { path: "apiKey", message: "Enter the key again" },
    ]);
  const parts = payload.split(":");
  const version = payloadVersion(payload);
  if (parts.length !== 4 || version === null) {
    throw unreadable(`it is in an unknown format (expected "${VERSION}:<iv>:<tag>:<ciphertext>")`);
  }
  const iv = Buffer.from(parts[1] ?? "", "base64url");
  const tag = Buffer.from(parts[2] ?? "", "base64url");
  const ciphertext = Buffer.from(parts[3] ?? "", "base64url");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw unreadable("the payload is damaged (wrong IV or tag length)");
  }
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAuthTag(tag);
  if (version === VERSION) decipher.setAAD(associatedData(binding));
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch (error) {
    // GCM cannot tell a changed master key from altered data or a payload moved to another record: all three fail the
    // authentication tag, and node says only "Unsupported state or unable to authenticate data".
    if (error instanceof Error && /authenticate/.test(error.message)) {
      throw unreadable(
        "the master key changed (ASSAY_SECRET or .assay/secret is not the one it was saved under), or the stored key " +
          "was altered or copied from another connection",
      );
    }
    throw error;
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
  const key = randomBytes(KEY_BYTES);
  if (await createSecretFile(file, key)) return key;
  return readKeyFile(file);
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
