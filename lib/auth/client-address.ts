import { isIP } from "node:net";

// Whom a sign-in comes from, for the per-address limit. A Next route handler never sees the socket, only headers,
// and X-Forwarded-For is whatever the client wrote unless a proxy we trust rewrote it. So the header is read only
// when ASSAY_TRUST_PROXY says how many proxies stand in front; otherwise every client shares one "direct" bucket
// (docs/decisions.md, "Sign-in limit").

export const DIRECT_CLIENT = "direct";

function normalized(address: string): string {
  const lower = address.toLowerCase();
  // an IPv4 client on a dual-stack socket
  return lower.startsWith("::ffff:") && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

/**
 * The client address the nearest trusted proxy saw: with N proxies, each appends the address it received the
 * request from, so the client is the N-th entry from the right; entries further left are the client's own claims.
 */
export function clientAddress(headers: Headers, trustedProxies: number): string {
  if (trustedProxies <= 0) return DIRECT_CLIENT;
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const candidate = forwarded.length > 0 ? forwarded[Math.max(0, forwarded.length - trustedProxies)] : headers.get("x-real-ip")?.trim();
  return candidate && isIP(candidate) ? normalized(candidate) : DIRECT_CLIENT;
}
