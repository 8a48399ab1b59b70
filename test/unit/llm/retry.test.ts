import { describe, expect, it } from "vitest";
import { isRetryable, retryDelayMs } from "../../../lib/llm/retry.ts";

const policy = { baseMs: 250, capMs: 20_000, maxRetryAfterMs: 120_000 };

describe("retry schedule", () => {
  it("retries what a later attempt can fix, and nothing else", () => {
    for (const kind of ["rate_limit", "timeout", "network", "server", "stream_cut", "invalid_response"] as const) {
      expect(isRetryable({ kind, message: "" })).toBe(true);
    }
    for (const kind of ["auth", "not_found", "bad_request", "context_length", "cancelled"] as const) {
      expect(isRetryable({ kind, message: "" })).toBe(false);
    }
    expect(isRetryable({ kind: "rate_limit", code: "insufficient_quota", message: "" })).toBe(false);
  });

  it("backs off exponentially with full jitter, capped", () => {
    expect(retryDelayMs(1, { kind: "server", message: "" }, policy, () => 1)).toBe(250);
    expect(retryDelayMs(3, { kind: "server", message: "" }, policy, () => 1)).toBe(1_000);
    expect(retryDelayMs(20, { kind: "server", message: "" }, policy, () => 1)).toBe(20_000);
    expect(retryDelayMs(3, { kind: "server", message: "" }, policy, () => 0)).toBe(0);
    expect(retryDelayMs(3, { kind: "server", message: "" }, policy, () => 0.5)).toBe(500);
  });

  it("never waits less than a 429's Retry-After, and gives up when asked to wait too long", () => {
    const limited = { kind: "rate_limit" as const, message: "", retryAfterMs: 3_000 };
    expect(retryDelayMs(1, limited, policy, () => 0)).toBe(3_000);
    expect(retryDelayMs(5, limited, policy, () => 1)).toBe(3_250);
    expect(retryDelayMs(1, { ...limited, retryAfterMs: 600_000 }, policy)).toBeNull();
  });
});
