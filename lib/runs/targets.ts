import { resolveTarget } from "../connections/service.ts";
import { AppError } from "../errors.ts";
import type { LimitedTarget } from "../llm/limited-call.ts";
import type { InlineTarget } from "./types.ts";

// Where a variant's (or the judge's) calls go: a stored connection, resolved with its decrypted key, limits and
// prices; or an inline target from a suite file, whose key is read from an environment variable of the process
// that executes the cells.

/** A call's destination and limits (LimitedTarget: concurrency counted against `limitKey`, RPM/TPM per connection), with prices. */
export interface CellTarget extends LimitedTarget {
  prices: { inputPricePerM: number | null; outputPricePerM: number | null };
}

export interface TargetSpec {
  connectionId?: string | null;
  target?: InlineTarget | null;
  model: string;
}

export interface TargetOptions {
  /** the run's timeout, over the connection's own */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * Where `apiKeyEnv` names are looked up. Suite files name variables of the machine running the eval, so this is
   * the process environment by design, read here rather than through lib/env.ts whose schema cannot know the names.
   */
  environment?: Record<string, string | undefined>;
}

export async function resolveCellTarget(workspaceId: string, spec: TargetSpec, options: TargetOptions = {}): Promise<CellTarget> {
  if (spec.connectionId) {
    const resolved = await resolveTarget(workspaceId, spec.connectionId, spec.model);
    return {
      target: {
        baseURL: resolved.baseURL,
        apiKey: resolved.apiKey,
        model: spec.model,
        timeoutMs: options.timeoutMs ?? resolved.timeoutMs,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      },
      limitKey: resolved.connectionId,
      connectionId: resolved.connectionId,
      concurrency: resolved.concurrency,
      rpm: resolved.rpm,
      tpm: resolved.tpm,
      prices: resolved.prices,
    };
  }
  const inline = spec.target;
  if (!inline) throw new AppError("bad_request", "variant", "A variant needs a connection or an inline target.");
  return {
    target: {
      baseURL: inline.baseURL,
      apiKey: inlineApiKey(inline, options.environment),
      model: spec.model,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
    limitKey: `inline:${inline.baseURL}`,
    connectionId: null,
    concurrency: null,
    rpm: null,
    tpm: null,
    prices: { inputPricePerM: inline.inputPricePerM ?? null, outputPricePerM: inline.outputPricePerM ?? null },
  };
}

export function inlineApiKey(inline: InlineTarget, environment: Record<string, string | undefined> = process.env): string | null {
  if (!inline.apiKeyEnv) return null;
  const value = environment[inline.apiKeyEnv];
  if (value === undefined || value === "") {
    throw new AppError(
      "bad_request",
      "target",
      `The environment variable ${inline.apiKeyEnv} (apiKeyEnv of ${inline.baseURL}) is not set in this process.`,
    );
  }
  return value;
}
