import { formatPercent } from "../format.ts";
import { messageOf } from "../errors.ts";
import { compileRegex } from "./compile.ts";
import type { LinearRegex } from "./linear-regex.ts";
import type { AssertionOf } from "./schema.ts";
import { binary, quote, type Check, type CheckContext } from "./types.ts";

// Assertions on the output's text: exact and partial matches, patterns, length, refusals.

export function checkEquals(assertion: AssertionOf<"equals">, { context, valueOrExpected }: CheckContext): Check {
  const value = valueOrExpected(assertion.value);
  return binary(
    context.output === value,
    `expected output to equal ${quote(value)}, got ${quote(context.output)}`,
    `expected output not to equal ${quote(value)}`,
  );
}

export function checkContains(assertion: AssertionOf<"contains">, { context, valueOrExpected }: CheckContext): Check {
  const value = valueOrExpected(assertion.value);
  return binary(
    context.output.includes(value),
    `expected output to contain ${quote(value)}`,
    `expected output not to contain ${quote(value)}`,
  );
}

export function checkIcontains(assertion: AssertionOf<"icontains">, { context, valueOrExpected }: CheckContext): Check {
  const value = valueOrExpected(assertion.value);
  return binary(
    context.output.toLocaleLowerCase().includes(value.toLocaleLowerCase()),
    `expected output to contain ${quote(value)} (ignoring case)`,
    `expected output not to contain ${quote(value)} (ignoring case)`,
  );
}

export function checkContainsAny(assertion: AssertionOf<"contains-any">, check: CheckContext): Check {
  const values = valueList(assertion.value, check);
  const found = values.filter((value) => check.context.output.includes(value));
  const list = values.map((value) => quote(value, 40)).join(", ");
  return binary(
    found.length > 0,
    `expected output to contain any of ${list}`,
    `expected output to contain none of ${list}, but it contains ${found.map((value) => quote(value, 40)).join(", ")}`,
  );
}

export function checkContainsAll(assertion: AssertionOf<"contains-all">, check: CheckContext): Check {
  const values = valueList(assertion.value, check);
  const missing = values.filter((value) => !check.context.output.includes(value));
  const share = values.length === 0 ? 1 : (values.length - missing.length) / values.length;
  const required = assertion.threshold ?? 1;
  const list = values.map((value) => quote(value, 40)).join(", ");
  const reason =
    required >= 1
      ? `expected output to contain all of ${list}; missing ${missing.map((value) => quote(value, 40)).join(", ")}`
      : `expected output to contain at least ${formatPercent(required, 0)} of ${list}; found ${formatPercent(share, 0)}, missing ${missing
          .map((value) => quote(value, 40))
          .join(", ")}`;
  return {
    pass: share >= required,
    score: share,
    reason,
    negatedReason:
      required >= 1
        ? `expected output not to contain all of ${list}`
        : `expected output to contain less than ${formatPercent(required, 0)} of ${list}; found ${formatPercent(share, 0)}`,
    measured: share,
  };
}

export function checkStartsWith(assertion: AssertionOf<"starts-with">, { context, valueOrExpected }: CheckContext): Check {
  const value = valueOrExpected(assertion.value);
  return binary(
    context.output.startsWith(value),
    `expected output to start with ${quote(value)}, got ${quote(context.output, 40)}`,
    `expected output not to start with ${quote(value)}`,
  );
}

export function checkRegex(assertion: AssertionOf<"regex">, { context, valueOrExpected }: CheckContext): Check {
  const pattern = valueOrExpected(assertion.value);
  let compiled: LinearRegex;
  try {
    new RegExp(pattern, assertion.flags);
  } catch (error) {
    // Only reachable when {{variables}} produced the pattern; literal patterns are checked when the suite is loaded.
    const message = `the pattern /${pattern}/ is not a valid regular expression: ${messageOf(error)}`;
    return { pass: false, score: 0, reason: message, negatedReason: message };
  }
  try {
    compiled = compileRegex(pattern, assertion.flags);
  } catch (error) {
    // As above, for a pattern JavaScript accepts but the linear-time engine cannot run (lookahead, backreferences).
    const message = `the pattern /${pattern}/ cannot run: ${messageOf(error)}`;
    return { pass: false, score: 0, reason: message, negatedReason: message };
  }
  const shown = `/${pattern}/${assertion.flags ?? ""}`;
  return binary(compiled.test(context.output), `expected output to match ${shown}`, `expected output not to match ${shown}`);
}

export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/u).length;
}

export function checkWordCount(assertion: AssertionOf<"word-count">, { context }: CheckContext): Check {
  const words = countWords(context.output);
  const { min, max } = assertion;
  const range =
    min !== undefined && max !== undefined
      ? `between ${min} and ${max} words`
      : min !== undefined
        ? `at least ${min} words`
        : `at most ${max} words`;
  const pass = (min === undefined || words >= min) && (max === undefined || words <= max);
  return {
    ...binary(pass, `expected output to have ${range}, it has ${words}`, `expected output not to have ${range}, it has ${words}`),
    measured: words,
  };
}

// Openings and phrases models use when they decline. Matched case-insensitively after straightening apostrophes.
const refusalPhrases = [
  "i'm sorry",
  "i am sorry",
  "i apologize",
  "i apologise",
  "my apologies",
  "i can't help",
  "i cannot help",
  "i can't assist",
  "i cannot assist",
  "i can't provide",
  "i cannot provide",
  "i can't do that",
  "i cannot do that",
  "i can't comply",
  "i cannot comply",
  "i can't fulfill",
  "i cannot fulfill",
  "i can't answer",
  "i cannot answer",
  "i won't be able",
  "i will not be able",
  "i'm unable to",
  "i am unable to",
  "i'm not able to",
  "i am not able to",
  "i must decline",
  "i have to decline",
  "i'm not comfortable",
  "i am not comfortable",
  "as an ai",
  "as a language model",
  "against my guidelines",
  "against my programming",
  "i'm not allowed to",
  "i am not allowed to",
  "i'm not permitted",
  "i am not permitted",
];

export function isRefusal(output: string): boolean {
  const text = output.replace(/[\u2018\u2019\u02bc]/g, "'").toLowerCase().trim();
  // An empty answer declines as surely as an apology does.
  if (text === "") return true;
  return refusalPhrases.some((phrase) => text.includes(phrase));
}

export function checkIsRefusal(_assertion: AssertionOf<"is-refusal">, { context }: CheckContext): Check {
  return binary(
    isRefusal(context.output),
    `expected output to be a refusal, got ${quote(context.output, 60)}`,
    `expected an answer, but the output is a refusal: ${quote(context.output, 60)}`,
  );
}

function valueList(value: string | string[] | undefined, check: CheckContext): string[] {
  if (Array.isArray(value)) return value.map((item) => check.fill(item));
  return [check.valueOrExpected(value)];
}

