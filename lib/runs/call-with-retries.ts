import { callModel } from "../llm/call-model.ts";
import type { CallResult, ChatMessage, ChatParams } from "../llm/types.ts";
import { countChatTokens } from "../prompts/tokens.ts";
import { adjustTokens, hasRateLimits, tryReserve } from "./rate-limit.ts";
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs, type RetryPolicy } from "./retry.ts";
import { Semaphore, sleep } from "./semaphore.ts";
import type { CellTarget } from "./targets.ts";

// One model call as the run engine makes it: under the run's and the connection's concurrency limits and the
// connection's RPM/TPM limits, retried with backoff when the failure is one a retry can fix. A slot is held only
// while a request is in flight, never while waiting to retry.

export interface CallLimits {
  /** the run's calls in flight in this process */
  run: Semaphore;
  /** the connection's calls in flight in this process; null when unlimited */
  connection: Semaphore | null;
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
}

export async function callWithRetries(
  cellTarget: CellTarget,
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
    if (limits.connection) await limits.connection.acquire(options.signal);
    let result: CallResult;
    try {
      await limits.run.acquire(options.signal);
      try {
        result = await callModel(cellTarget.target, messages, params, { signal: options.signal });
      } finally {
        limits.run.release();
      }
    } finally {
      limits.connection?.release();
    }
    if (limited && cellTarget.connectionId && cellTarget.tpm) {
      const used = (result.usage.inputTokens ?? 0) + (result.usage.outputTokens ?? 0);
      const spent = result.usage.inputTokens === null && result.usage.outputTokens === null ? 0 : used;
      await adjustTokens(cellTarget.connectionId, spent - estimate).catch(() => undefined);
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
