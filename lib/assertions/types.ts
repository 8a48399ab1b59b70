import type { AssertionType } from "./schema.ts";

/** What an assertion sees of one model call. Unknown figures are null, never zero. */
export interface AssertionContext {
  output: string;
  expected?: string | null;
  variables: Record<string, unknown>;
  latencyMs?: number | null;
  cost?: number | null;
  outputTokens?: number | null;
  finishReason?: string | null;
}

export interface JudgeVerdict {
  pass: boolean;
  /** 0..1 */
  score: number;
  reasoning: string;
}

/** An LLM judge; the run engine builds one from a connection. */
export type Judge = (rubric: string, output: string, context: AssertionContext) => Promise<JudgeVerdict>;

export interface EvaluateOptions {
  judge?: Judge;
}

export interface AssertionOutcome {
  type: AssertionType;
  pass: boolean;
  /** 0..1; for negated assertions 1 − the underlying score */
  score: number;
  /** why it failed, as a sentence; "" when it passed */
  reason: string;
  weight: number;
  /** the named metric it counts toward, when the assertion has one */
  metric?: string;
  /** the judge's reasoning (llm-rubric) */
  reasoning?: string;
  /** the measured figure: distance, similarity, latency, cost, tokens, word count */
  measured?: number | null;
  /** label: the class the output was read as, or null when it is none of them */
  predicted?: string | null;
}

/** The result of an assertion before negation: both failure sentences, since which applies depends on `not-`. */
export interface Check {
  pass: boolean;
  score: number;
  /** why a plain assertion failed */
  reason: string;
  /** why a `not-` assertion failed (the underlying check passed) */
  negatedReason: string;
  reasoning?: string;
  measured?: number | null;
  predicted?: string | null;
  /** the check could not be made (a figure was not measured): it fails whether or not it is negated */
  unknown?: boolean;
}

/** What an evaluator gets besides its assertion: the call, and value resolution against the case. */
export interface CheckContext {
  context: AssertionContext;
  options: EvaluateOptions;
  /** fills {{variables}} in an assertion's text */
  fill(text: string): string;
  /** the assertion's value filled in, or the case's expected output when the value is omitted */
  valueOrExpected(value: string | number | boolean | undefined): string;
}

/**
 * Raised when an assertion cannot be evaluated for this case (a missing variable, no expected output); it fails the
 * assertion whether or not it is negated, with this message as the reason.
 */
export class UnresolvableAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnresolvableAssertionError";
  }
}

export function quote(text: string, limit = 80): string {
  const shown = text.length > limit ? `${text.slice(0, limit)}…` : text;
  return JSON.stringify(shown);
}

export function binary(pass: boolean, reason: string, negatedReason: string): Check {
  return { pass, score: pass ? 1 : 0, reason, negatedReason };
}
