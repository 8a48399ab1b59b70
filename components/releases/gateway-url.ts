import { headers } from "next/headers";
import { env } from "@/lib/env";

/**
 * The gateway's base URL as an application should type it: ASSAY_PUBLIC_URL when set (behind a proxy it must be),
 * else the host this page was reached at — the same rule invitation links follow.
 */
export async function gatewayBaseUrl(): Promise<string> {
  if (env.ASSAY_PUBLIC_URL) return `${env.ASSAY_PUBLIC_URL.replace(/\/$/, "")}/api/gateway/v1`;
  const host = (await headers()).get("host");
  return host ? `http://${host}/api/gateway/v1` : "/api/gateway/v1";
}
