import { createHmac, timingSafeEqual } from "node:crypto";
import { loadMasterKey } from "../connections/crypto.ts";
import { isLoopbackHost } from "../net/outbound-policy.ts";
import { OpenAiApiError } from "./api-errors.ts";

// The model server serves a model registered by path only to its workspace. Requests say which workspace they come
// from with an API key derived from the install's master key: `assay-ws-<workspace id>.<HMAC of the id>`. The web
// app sends it on every call through a workspace's "Local models" connection; the model server (same install, same
// master key) recomputes the HMAC, so nothing is stored and no workspace can forge another's key. The folder's
// files need no key.

const PREFIX = "assay-ws-";
const LABEL = "assay:local-model-server:v1:";

function mac(masterKey: Buffer, workspaceId: string): string {
  return createHmac("sha256", masterKey).update(`${LABEL}${workspaceId}`).digest("base64url");
}

export function workspaceModelKey(workspaceId: string, masterKey: Buffer): string {
  return `${PREFIX}${workspaceId}.${mac(masterKey, workspaceId)}`;
}

/**
 * The key this install's model server accepts for `workspaceId`, for a request to `baseUrl` — or null when that URL
 * is not on this machine. A connection's kind and base URL are both editable, so "kind: local" alone must never send
 * the key: a local connection pointed at another host gets no key, like any keyless connection.
 */
export async function localModelKeyFor(workspaceId: string, baseUrl: string): Promise<string | null> {
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    // An unparsable URL is no destination of ours; the call itself reports the bad URL.
    return null;
  }
  if (!isLoopbackHost(host)) return null;
  return workspaceModelKey(workspaceId, await loadMasterKey());
}

/**
 * The workspace a key belongs to; null when it is not a workspace key at all (OpenAI clients send placeholder keys
 * to local servers), a 401 when it claims a workspace and does not verify.
 */
export function workspaceOfModelKey(apiKey: string, masterKey: Buffer): string | null {
  if (!apiKey.startsWith(PREFIX)) return null;
  const separator = apiKey.lastIndexOf(".");
  const workspaceId = apiKey.slice(PREFIX.length, separator);
  const given = Buffer.from(apiKey.slice(separator + 1));
  const expected = Buffer.from(mac(masterKey, workspaceId));
  if (separator <= PREFIX.length || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new OpenAiApiError("unauthorized", "Incorrect API key provided: this workspace key was not issued by this Assay install", {
      openAiCode: "invalid_api_key",
    });
  }
  return workspaceId;
}
