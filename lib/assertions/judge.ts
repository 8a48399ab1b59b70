import { AppError } from "../errors.ts";
import type { AssertionOf } from "./schema.ts";
import type { Check, CheckContext } from "./types.ts";

// llm-rubric: a judge model grades the output against a rubric. The judge is injected by the caller (the run engine
// builds it from a connection), so this file makes no calls itself. A judge that fails (provider error) throws: the
// engine decides whether to retry, and never records a judge outage as a failing answer.

export async function checkLlmRubric(assertion: AssertionOf<"llm-rubric">, check: CheckContext): Promise<Check> {
  const judge = check.options.judge;
  if (!judge) {
    throw new AppError(
      "bad_request",
      "assertion",
      "llm-rubric needs a judge model: choose a judge connection and model for this run",
    );
  }
  const rubric = check.fill(assertion.value);
  const verdict = await judge(rubric, check.context.output, check.context);
  const score = Number.isFinite(verdict.score) ? Math.min(1, Math.max(0, verdict.score)) : verdict.pass ? 1 : 0;
  const pass = assertion.threshold === undefined ? verdict.pass : score >= assertion.threshold;
  const shownRubric = rubric.length > 120 ? `${rubric.slice(0, 120)}…` : rubric;
  const scored = assertion.threshold === undefined ? "" : ` (score ${score.toFixed(2)}, needs ${assertion.threshold})`;
  return {
    pass,
    score,
    reason: `the judge found the rubric "${shownRubric}" not met${scored}: ${verdict.reasoning}`,
    negatedReason: `expected the rubric "${shownRubric}" not to be met, but the judge found it met${scored}: ${verdict.reasoning}`,
    reasoning: verdict.reasoning,
    measured: score,
  };
}
