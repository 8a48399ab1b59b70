import type { Usage } from "./types.ts";

/** The usage object as OpenAI-compatible servers send it; any field may be missing or null. */
export interface RawUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Reported usage, with a missing figure kept as null (unknown) rather than 0. */
export function convertUsage(raw: RawUsage | null | undefined): Usage {
  if (!raw) return { inputTokens: null, outputTokens: null, estimated: false };
  let inputTokens = count(raw.prompt_tokens);
  let outputTokens = count(raw.completion_tokens);
  const total = count(raw.total_tokens);
  // Some servers send only the total and one part; the other part follows from them.
  if (total !== null && inputTokens !== null && outputTokens === null && total >= inputTokens) {
    outputTokens = total - inputTokens;
  } else if (total !== null && outputTokens !== null && inputTokens === null && total >= outputTokens) {
    inputTokens = total - outputTokens;
  }
  return { inputTokens, outputTokens, estimated: false };
}

/**
 * Fills what the API did not report with local counts. `estimate` is called only for the missing figures, so a
 * tokenizer is loaded only when needed.
 */
export function completeUsage(
  reported: Usage,
  estimate: { input: () => number; output: () => number },
): Usage {
  const inputTokens = reported.inputTokens ?? estimate.input();
  const outputTokens = reported.outputTokens ?? estimate.output();
  const estimated = reported.estimated || reported.inputTokens === null || reported.outputTokens === null;
  return { inputTokens, outputTokens, estimated };
}
