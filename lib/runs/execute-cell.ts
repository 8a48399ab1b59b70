import { randomUUID } from "node:crypto";
import { evaluateAssertions } from "../assertions/evaluate.ts";
import type { Assertion } from "../assertions/schema.ts";
import type { AssertionContext, AssertionOutcome } from "../assertions/types.ts";
import { AppError, messageOf } from "../errors.ts";
import { storedOutput } from "../limits.ts";
import { toChatRequest } from "../llm/request-body.ts";
import type { ChatMessage, ProviderError } from "../llm/types.ts";
import { assembleMessages } from "../prompts/assemble.ts";
import { costOf } from "../prompts/cost.ts";
import type { TemplateVariables } from "../prompts/types.ts";
import { cacheKey, type CachedResponse } from "./cache.ts";
import { limitedCall } from "../llm/limited-call.ts";
import { JudgeError } from "./judge.ts";
import type { RunContext, VariantContext } from "./run-context.ts";
import type { ErrorInfo } from "./types.ts";

// One cell: render the variant's prompt with the case's variables, answer from the cache or call the model (with
// limits and retries), evaluate the assertions, and return the row to store. A cell whose run is cancelled (or whose
// chunk is lost) while it runs returns null and stays missing, so a resume (or the chunk's new holder) runs it.

export interface CaseData {
  id: string;
  variables: Record<string, unknown>;
  expected: string | null;
  assertions: Assertion[];
}

/** A Result row as written (see result-writer.ts). */
export interface ResultRow {
  id: string;
  runId: string;
  variantId: string;
  caseId: string;
  repeat: number;
  output: string | null;
  finishReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  usageEstimated: boolean;
  cost: number | null;
  ttftMs: number | null;
  latencyMs: number | null;
  assertions: AssertionOutcome[];
  pass: boolean | null;
  score: number | null;
  error: ErrorInfo | null;
  attempts: number;
  retries: number;
  cached: boolean;
}

export interface CellOutcome {
  row: ResultRow;
  /** a fresh successful answer to remember, when the run uses the cache */
  cacheEntry?: { key: string; response: CachedResponse };
}

/** The request a cell sends, and its cache key when the run uses the cache. */
export interface PreparedCell {
  messages: ChatMessage[] | null;
  /** the prompt could not be rendered for this case */
  renderError: string | null;
  cacheKey: string | null;
}

export function newResultId(): string {
  return `r${randomUUID().replaceAll("-", "")}`;
}

export function prepareCell(run: RunContext, variant: VariantContext, caseData: CaseData): PreparedCell {
  let messages: ChatMessage[];
  try {
    messages = assembleMessages(variant.prompt, caseData.variables as TemplateVariables);
  } catch (error) {
    return { messages: null, renderError: messageOf(error), cacheKey: null };
  }
  const key =
    run.cache && variant.target
      ? cacheKey(
          { workspaceId: run.workspaceId, connectionId: variant.target.connectionId, baseURL: variant.target.target.baseURL },
          toChatRequest(variant.target.target.model, messages, variant.params),
        )
      : null;
  return { messages, renderError: null, cacheKey: key };
}

function emptyRow(run: RunContext, variant: VariantContext, caseData: CaseData, repeat: number): ResultRow {
  return {
    id: newResultId(),
    runId: run.id,
    variantId: variant.id,
    caseId: caseData.id,
    repeat,
    output: null,
    finishReason: null,
    inputTokens: null,
    outputTokens: null,
    usageEstimated: false,
    cost: null,
    ttftMs: null,
    latencyMs: null,
    assertions: [],
    pass: null,
    score: null,
    error: null,
    attempts: 0,
    retries: 0,
    cached: false,
  };
}

function errorInfo(error: ProviderError): ErrorInfo {
  return { kind: error.kind, message: error.message, ...(error.status !== undefined ? { status: error.status } : {}) };
}

function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && error.name === "AbortError");
}

export async function executeCell(
  run: RunContext,
  variant: VariantContext,
  caseData: CaseData,
  repeat: number,
  prepared: PreparedCell,
  cached: CachedResponse | undefined,
  /** stops the cell: the run's cancellation, or its chunk lost by this worker */
  signal: AbortSignal = run.abort.signal,
): Promise<CellOutcome | null> {
  const row = emptyRow(run, variant, caseData, repeat);
  if (!variant.target) {
    row.error = { kind: "config", message: variant.targetError ?? "This variant's target cannot be reached." };
    return { row };
  }
  if (!prepared.messages) {
    row.error = { kind: "template", message: prepared.renderError ?? "The prompt could not be rendered." };
    return { row };
  }
  let cacheEntry: CellOutcome["cacheEntry"];
  if (cached) {
    row.cached = true;
    row.output = cached.output;
    row.finishReason = cached.finishReason;
    row.inputTokens = cached.inputTokens;
    row.outputTokens = cached.outputTokens;
    row.usageEstimated = cached.usageEstimated;
    // What the answer cost when it was made; a cached result's latency is never recorded (it would be ~0 ms).
    row.cost = costOf({ inputTokens: cached.inputTokens, outputTokens: cached.outputTokens }, variant.target.prices);
  } else {
    let call;
    try {
      call = await limitedCall(variant.target, prepared.messages, variant.params, { run: run.semaphore }, {
        maxRetries: run.maxRetries,
        signal,
      });
    } catch (error) {
      if (isAbort(error, signal)) return null;
      throw error;
    }
    const { result, attempts } = call;
    if (result.error?.kind === "cancelled" && signal.aborted) return null;
    row.attempts = attempts;
    row.retries = attempts - 1;
    row.output = result.output;
    row.finishReason = result.finishReason;
    row.inputTokens = result.usage.inputTokens;
    row.outputTokens = result.usage.outputTokens;
    row.usageEstimated = result.usage.estimated;
    row.cost = costOf(result.usage, variant.target.prices);
    row.ttftMs = result.ttftMs;
    row.latencyMs = result.latencyMs;
    if (result.error) {
      row.error = errorInfo(result.error);
      row.output = storedOutput(result.output);
      return { row };
    }
    if (prepared.cacheKey) {
      cacheEntry = {
        key: prepared.cacheKey,
        response: {
          output: storedOutput(result.output),
          finishReason: result.finishReason,
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          usageEstimated: result.usage.estimated,
        },
      };
    }
  }

  const assertions = [...run.suiteAssertions, ...caseData.assertions];
  const context: AssertionContext = {
    output: row.output ?? "",
    expected: caseData.expected,
    variables: caseData.variables,
    latencyMs: row.latencyMs,
    cost: row.cost,
    outputTokens: row.outputTokens,
    finishReason: row.finishReason,
  };
  try {
    if (assertions.some((assertion) => assertion.type.endsWith("llm-rubric")) && !run.judge && run.judgeError) {
      throw new JudgeError(`The judge cannot be reached: ${run.judgeError}`, "judge_config");
    }
    const evaluation = await evaluateAssertions(assertions, context, run.judge ? { judge: run.judge } : {});
    row.assertions = evaluation.results;
    row.pass = evaluation.pass;
    row.score = evaluation.score;
  } catch (error) {
    if (isAbort(error, signal)) return null;
    // A judge outage or an assertion that cannot run is not a failing answer: the cell is an error, output kept.
    if (error instanceof JudgeError) row.error = { kind: error.kind, message: error.message };
    else if (error instanceof AppError) row.error = { kind: "assertion", message: error.message };
    else throw error;
  } finally {
    row.retries += run.judgeRetries.get(context) ?? 0;
  }
  // Assertions saw the whole answer; what is stored is capped (lib/limits.ts), marked where it was cut.
  if (row.output !== null) row.output = storedOutput(row.output);
  return cacheEntry ? { row, cacheEntry } : { row };
}
