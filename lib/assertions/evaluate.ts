import { AppError } from "../errors.ts";
import { checkCost, checkFinishReason, checkLatency, checkOutputTokens } from "./call.ts";
import { checkLevenshtein, checkSimilarity } from "./distance.ts";
import { checkContainsJson,
  checkIsJson, checkJsonPathEquals, checkJsonSchema } from "./json.ts";
import { checkLlmRubric } from "./judge.ts";
import { checkLabel } from "./label.ts";
import { assertionInput, type Assertion, type AssertionInput, type AssertionOf, type BaseAssertionType } from "./schema.ts";
import { fillTemplate, MissingVariableError } from "./template.ts";
import {
  checkContains,
  checkContainsAll,
  checkContainsAny,
  checkEquals,
  checkIcontains,
  checkIsRefusal,
  checkRegex,
  checkStartsWith,
  checkWordCount,
} from "./text.ts";
import {
  UnresolvableAssertionError,
  type AssertionContext,
  type AssertionOutcome,
  type Check,
  type CheckContext,
  type EvaluateOptions,
} from "./types.ts";
import { flattenIssues, formatIssuePath } from "./validate.ts";

type Evaluator<T extends BaseAssertionType> = (assertion: AssertionOf<T>, check: CheckContext) => Check | Promise<Check>;

const evaluators: { [T in BaseAssertionType]: Evaluator<T> } = {
  equals: checkEquals,
  contains: checkContains,
  icontains: checkIcontains,
  "contains-any": checkContainsAny,
  "contains-all": checkContainsAll,
  "starts-with": checkStartsWith,
  regex: checkRegex,
  "word-count": checkWordCount,
  "is-refusal": checkIsRefusal,
  "is-json": checkIsJson,
  "contains-json": checkContainsJson,
  "json-schema": checkJsonSchema,
  "json-path": checkJsonPathEquals,
  levenshtein: checkLevenshtein,
  similarity: checkSimilarity,
  latency: checkLatency,
  cost: checkCost,
  "output-tokens": checkOutputTokens,
  "finish-reason": checkFinishReason,
  "llm-rubric": checkLlmRubric,
  label: checkLabel,
};

export interface Evaluation {
  /** every assertion passed (true when there are none) */
  pass: boolean;
  /** weighted mean of the assertions' scores (1 when there are none) */
  score: number;
  results: AssertionOutcome[];
}

/**
 * Evaluates a case's assertions against one output. Accepts assertions as stored (defaults are applied here); an
 * invalid one is an input error. Judge calls (llm-rubric) run concurrently; a failing judge rejects the whole call.
 */
export async function evaluateAssertions(
  assertions: readonly (AssertionInput | Assertion)[],
  context: AssertionContext,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const parsed = assertions.map((assertion, index) => {
    const result = assertionInput.safeParse(assertion);
    if (result.success) return result.data;
    const issue = flattenIssues(result.error.issues)[0];
    const path = formatIssuePath(["assertions", index, ...(issue?.path ?? [])]);
    throw new AppError("bad_request", "assertion", `${path}: ${issue?.message ?? "invalid assertion"}`, [
      { path, message: issue?.message ?? "invalid assertion" },
    ]);
  });
  const results = await Promise.all(parsed.map((assertion) => evaluateOne(assertion, context, options)));
  const totalWeight = results.reduce((sum, outcome) => sum + outcome.weight, 0);
  return {
    pass: results.every((outcome) => outcome.pass),
    score:
      results.length === 0
        ? 1
        : results.reduce((sum, outcome) => sum + outcome.weight * outcome.score, 0) / totalWeight,
    results,
  };
}

async function evaluateOne(
  assertion: Assertion,
  context: AssertionContext,
  options: EvaluateOptions,
): Promise<AssertionOutcome> {
  const negated = assertion.type.startsWith("not-");
  const base = (negated ? assertion.type.slice(4) : assertion.type) as BaseAssertionType;
  const fill = (text: string) => fillTemplate(text, context.variables, context.expected);
  const check: CheckContext = {
    context,
    options,
    fill,
    valueOrExpected(value) {
      if (value !== undefined) return fill(String(value));
      if (context.expected === null || context.expected === undefined) {
        throw new UnresolvableAssertionError(
          `${assertion.type} has no value and the case has no expected output to compare with`,
        );
      }
      return context.expected;
    },
  };
  let result: Check;
  try {
    result = await (evaluators[base] as Evaluator<BaseAssertionType>)(assertion, check);
  } catch (error) {
    if (!(error instanceof MissingVariableError || error instanceof UnresolvableAssertionError)) throw error;
    return { type: assertion.type, pass: false, score: 0, reason: error.message, weight: assertion.weight, ...(assertion.metric ? { metric: assertion.metric } : {}) };
  }
  const pass = result.unknown ? false : negated ? !result.pass : result.pass;
  const outcome: AssertionOutcome = {
    type: assertion.type,
    pass,
    score: result.unknown ? 0 : clamp(negated ? 1 - result.score : result.score),
    reason: pass ? "" : negated && !result.unknown ? result.negatedReason : result.reason,
    weight: assertion.weight,
  };
  if (assertion.metric) outcome.metric = assertion.metric;
  if (result.reasoning !== undefined) outcome.reasoning = result.reasoning;
  if (result.measured !== undefined) outcome.measured = result.measured;
  if (result.predicted !== undefined) outcome.predicted = result.predicted;
  return outcome;
}

function clamp(score: number): number {
  return Math.min(1, Math.max(0, score));
}
