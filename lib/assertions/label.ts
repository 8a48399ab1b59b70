import { AppError } from "../errors.ts";
import { normalizeLabelText, type AssertionOf } from "./schema.ts";
import { quote, type Check, type CheckContext } from "./types.ts";

// Label (classification) tasks: the output, trimmed, case-folded and stripped of punctuation, must be the expected
// class. `labelMetrics` summarizes many such answers.

/** The class an output names, in the spelling of `classes`, or null when it names none of them. */
export function predictedClass(output: string, classes: readonly string[]): string | null {
  const normalized = normalizeLabelText(output);
  return classes.find((name) => normalizeLabelText(name) === normalized) ?? null;
}

export function checkLabel(assertion: AssertionOf<"label">, { context, valueOrExpected }: CheckContext): Check {
  const wanted = valueOrExpected(assertion.value);
  const expectedClass = predictedClass(wanted, assertion.classes);
  const list = assertion.classes.map((name) => `"${name}"`).join(", ");
  if (expectedClass === null) {
    const reason = `the expected class ${quote(wanted)} is not one of the classes ${list}`;
    return { pass: false, score: 0, reason, negatedReason: reason, unknown: true };
  }
  const predicted = predictedClass(context.output, assertion.classes);
  const pass = predicted === expectedClass;
  return {
    pass,
    score: pass ? 1 : 0,
    reason:
      predicted === null
        ? `expected the label "${expectedClass}", but the output ${quote(context.output, 60)} is none of ${list}`
        : `expected the label "${expectedClass}", got "${predicted}"`,
    negatedReason: `expected a label other than "${expectedClass}"`,
    predicted,
  };
}

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** how many pairs expected this class */
  support: number;
  /** how many outputs were read as this class */
  predicted: number;
}

export interface LabelMetrics {
  total: number;
  correct: number;
  /** correct / total; 0 when there are no pairs */
  accuracy: number;
  classes: string[];
  /** precision, recall and F1 are 0 where undefined (no predictions, no support), as scikit-learn reports them */
  perClass: ClassMetrics[];
  macroF1: number;
  confusion: {
    /** expected classes, one per row */
    rows: string[];
    /** predicted classes, then the column for outputs that are none of them */
    columns: string[];
    counts: number[][];
  };
}

export function labelMetrics(
  pairs: readonly { expected: string; predicted: string }[],
  classes?: readonly string[],
): LabelMetrics {
  const labels = classes ? [...classes] : classesOf(pairs);
  const index = new Map(labels.map((name, position) => [normalizeLabelText(name), position]));
  const other = labels.length;
  const counts = labels.map(() => new Array<number>(labels.length + 1).fill(0));
  let correct = 0;
  pairs.forEach((pair, position) => {
    const row = index.get(normalizeLabelText(pair.expected));
    if (row === undefined) {
      throw new AppError(
        "bad_request",
        "label-metrics",
        `Pair ${position + 1}: the expected label ${quote(pair.expected)} is not one of the classes`,
        [{ row: position + 1, path: "expected", message: `not one of ${labels.join(", ")}` }],
      );
    }
    const column = index.get(normalizeLabelText(pair.predicted)) ?? other;
    const cells = counts[row];
    if (cells) cells[column] = (cells[column] ?? 0) + 1;
    if (column === row) correct++;
  });
  const perClass = labels.map((label, position): ClassMetrics => {
    const truePositives = counts[position]?.[position] ?? 0;
    const predicted = counts.reduce((sum, cells) => sum + (cells[position] ?? 0), 0);
    const support = (counts[position] ?? []).reduce((sum, count) => sum + count, 0);
    const precision = predicted === 0 ? 0 : truePositives / predicted;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support, predicted };
  });
  const otherColumn = index.has("other") ? "(other)" : "other";
  return {
    total: pairs.length,
    correct,
    accuracy: pairs.length === 0 ? 0 : correct / pairs.length,
    classes: labels,
    perClass,
    macroF1: perClass.length === 0 ? 0 : perClass.reduce((sum, metrics) => sum + metrics.f1, 0) / perClass.length,
    confusion: { rows: labels, columns: [...labels, otherColumn], counts },
  };
}

/** The expected labels in order of first appearance, spelled as first seen. */
function classesOf(pairs: readonly { expected: string }[]): string[] {
  const seen = new Map<string, string>();
  for (const pair of pairs) {
    const normalized = normalizeLabelText(pair.expected);
    if (!seen.has(normalized)) seen.set(normalized, pair.expected.trim());
  }
  return [...seen.values()];
}
