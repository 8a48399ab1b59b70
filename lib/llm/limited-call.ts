import { countChatTokens } from "../prompts/tokens.ts";
import { callModel, type CallOptions } from "./call-model.ts";
import { connectionSemaphore, type ConcurrencyLimit } from "./connection-limits.ts";
import { adjustTokens, hasRateLimits, tryReserve, type RateLimits } from "./rate-limit.ts";
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs, type RetryPolicy } from "./retry.ts";
import { type Semaphore, sleep } from "./semaphore.ts";
import type { CallResult, ChatMessage, ChatParams, ModelTarget } from "./types.ts";

// One model call as every caller makes it (run cells, judges, ablations): under the caller's own concurrency limit
// and the connection's (shared per process, connection-limits.ts), the connection's RPM/TPM limits (shared across
// processes), retried with backoff when the failure is one a retry can fix — a 429 waits for its Retry-After. A slot
// is held only while a request is in flight, never while waiting to retry.

/** Where a call goes and the limits of that place. lib/runs' CellTarget is one. */
export interface LimitedTarget extends ConcurrencyLimit, RateLimits {
  target: ModelTarget;
  /** the stored connection whose RPM/TPM window is counted; null for an inline target (no shared window) */
  connectionId: string | null;
}

export interface CallLimits {
  /** the caller's own calls in flight (a run's concurrency); null when the caller has none */
  run: Semaphore | null;
}

export interface RetriedCall {
  result: CallResult;
  /** requests sent (1 + retries) */
  attempts: number;
}

export interface RetryOptions {
  maxRetries: number;
  signal: AbortSignal;
  policy?: RetryPolicy;
  /** callModel's onChunk; with retries, a retried attempt streams its chunks again (the gateway uses maxRetries 0) */
  onChunk?: CallOptions["onChunk"];
}

export async function limitedCall(
  cellTarget: LimitedTarget,
  messages: ChatMessage[],
  params: ChatParams,
  limits: CallLimits,
  options: RetryOptions,
): Promise<RetriedCall> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const limited = cellTarget.connectionId !== null && hasRateLimits(cellTarget);
  const estimate = limited && cellTarget.tpm ? countChatTokens(messages, cellTarget.target.model).tokens + (params.maxTokens ?? 256) : 0;
  for (let attempt = 1; ; attempt++) {
    if (limited && cellTarget.connectionId) {
      for (;;) {
        const wait = await tryReserve(cellTarget.connectionId, cellTarget, estimate);
        if (wait === 0) break;
        await sleep(wait, options.signal);
      }
    }
    // The connection's slot first: a cell waiting on a busy connection must not sit on one of the run's slots, which
    // the run's other variants (on other connections) could use.
    const connection = connectionSemaphore(cellTarget);
    if (connection) await connection.acquire(options.signal);
    let result: CallResult;
    try {
      await limits.run?.acquire(options.signal);
      try {
        result = await callModel(cellTarget.target, messages, params, { signal: options.signal, onChunk: options.onChunk });
      } finally {
        limits.run?.release();
      }
    } finally {
      connection?.release();
    }
    if (limited && cellTarget.connectionId && cellTarget.tpm) {
      const used = (result.usage.inputTokens ?? 0) + (result.usage.outputTokens ?? 0);
      const spent = result.usage.inputTokens === null && result.usage.outputTokens === null ? 0 : used;
      // A failed correction only leaves the window's estimate in place (a little stricter for a minute); the call's
      // result matters more than the counter, so it is logged, not thrown.
      await adjustTokens(cellTarget.connectionId, spent - estimate).catch((error: unknown) =>
        console.error(`rate window correction for connection ${cellTarget.connectionId} failed:`, error),
      );
    }
    const error = result.error;
    if (!error || error.kind === "cancelled" || !isRetryable(error) || attempt > options.maxRetries) {
      return { result, attempts: attempt };
    }
    const delay = retryDelayMs(attempt, error, policy);
    if (delay === null) return { result, attempts: attempt };
    await sleep(delay, options.signal);
  }
}
