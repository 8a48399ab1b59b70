export { evaluateAssertions, type Evaluation } from "./evaluate.ts";
export { labelMetrics, predictedClass, type ClassMetrics, type LabelMetrics } from "./label.ts";
export { normalizedSimilarity } from "./distance.ts";
export { isRefusal, countWords } from "./text.ts";
export {
  assertionInput,
  assertionList,
  assertionTypes,
  normalizeLabelText,
  type Assertion,
  type AssertionInput,
  type AssertionType,
  type BaseAssertionType,
} from "./schema.ts";
export { flattenIssues, formatIssuePath, validateAssertions, type FlatIssue, type ValidationIssue } from "./validate.ts";
export type { AssertionContext, AssertionOutcome, EvaluateOptions, Judge, JudgeVerdict } from "./types.ts";
