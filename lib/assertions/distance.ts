import { distance } from "fastest-levenshtein";
import type { AssertionOf } from "./schema.ts";
import { quote, type Check, type CheckContext } from "./types.ts";

// Edit-distance assertions. Similarity is normalized Levenshtein: 1 − distance / length of the longer text, after
// trimming and collapsing runs of whitespace (case and punctuation count). Two empty texts are identical (1).

export function normalizedSimilarity(a: string, b: string): number {
  const left = collapse(a);
  const right = collapse(b);
  const longest = Math.max(left.length, right.length);
  if (longest === 0) return 1;
  return 1 - distance(left, right) / longest;
}

export function checkLevenshtein(assertion: AssertionOf<"levenshtein">, { context, valueOrExpected }: CheckContext): Check {
  const value = valueOrExpected(assertion.value);
  const edits = distance(context.output, value);
  const longest = Math.max(context.output.length, value.length);
  return {
    pass: edits <= assertion.threshold,
    score: longest === 0 ? 1 : 1 - edits / longest,
    reason: `expected output within ${assertion.threshold} edits of ${quote(value)}, it is ${edits} away`,
    negatedReason: `expected output more than ${assertion.threshold} edits from ${quote(value)}, it is ${edits} away`,
    measured: edits,
  };
}

export function checkSimilarity(assertion: AssertionOf<"similarity">, { context, valueOrExpected }: CheckContext): Check {
  const value = valueOrExpected(assertion.value);
  const similarity = normalizedSimilarity(context.output, value);
  const shown = similarity.toFixed(2);
  return {
    pass: similarity >= assertion.threshold,
    score: similarity,
    reason: `expected output at least ${assertion.threshold} similar to ${quote(value)}, it is ${shown}`,
    negatedReason: `expected output less than ${assertion.threshold} similar to ${quote(value)}, it is ${shown}`,
    measured: similarity,
  };
}

function collapse(text: string): string {
  return text.trim().replace(/\s+/gu, " ");
}
