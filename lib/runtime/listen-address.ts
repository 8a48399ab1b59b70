import os from "node:os";
import { isLoopbackHost } from "../net/outbound-policy.ts";

// `assay start --host`: where to check the app's health from this machine, and which URL to print.

/** How to reach a listen address from this machine: the wildcard addresses answer on loopback. */
export function localAddress(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  if (bare === "0.0.0.0") return "127.0.0.1";
  if (bare === "::") return "[::1]";
  return bare.includes(":") ? `[${bare}]` : bare;
}

/** The URL to print: ASSAY_PUBLIC_URL when set, else the listen address as others would type it. */
export function displayUrl(host: string, port: number, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, "");
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  if (isLoopbackHost(bare)) return `http://localhost:${port}`;
  if (bare === "0.0.0.0" || bare === "::") return `http://${os.hostname()}:${port}`;
  return `http://${bare.includes(":") ? `[${bare}]` : bare}:${port}`;
}
