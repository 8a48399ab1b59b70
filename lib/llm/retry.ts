import type { ProviderError } from "./types.ts";

// When to retry a failed call and how long to wait: exponential backoff with full jitter, never shorter than what a
// 429's Retry-After asks for. Pure, so the schedule is unit-tested.

export interface RetryPolicy {
  /** first backoff ceiling */
  baseMs: number;
  /** largest backoff ceiling */
  capMs: number;
  /** longest Retry-After honoured; a server asking for more gets the cell recorded as an error instead */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 250, capMs: 20_000, maxRetryAfterMs: 120_000 };

/** Failures a later attempt can fix. Auth, not-found, bad requests and context overflows fail the same way again. */
export function isRetryable(error: ProviderError): boolean {
  switch (error.kind) {
    case "rate_limit":
      // insufficient_quota comes as a 429 too, and waiting does not refill an account.
      return error.code !== "insufficient_quota";
    case "timeout":
    case "network":
    case "server":
    case "stream_cut":
    case "invalid_response":
      return true;
    default:
      return false;
  }
}

/**
 * Wait before retry number `retry` (1 for the first retry): uniform in [0, min(cap, base · 2^(retry−1))] ("full
 * jitter", so workers that failed together do not retry together), and at least the server's Retry-After.
 * Returns null when the server asks to wait longer than the policy allows.
 */
export function retryDelayMs(
  retry: number,
  error: ProviderError,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number | null {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  const jittered = ceiling * random();
  const asked = error.retryAfterMs;
  if (asked === undefined) return Math.round(jittered);
  if (asked > policy.maxRetryAfterMs) return null;
  // A little jitter on top of Retry-After too, so a burst of 429s does not come back as one burst.
  return Math.round(asked + Math.min(jittered, policy.baseMs));
}
