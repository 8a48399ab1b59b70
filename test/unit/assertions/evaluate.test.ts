import { describe, expect, it } from "vitest";
import { evaluateAssertions, type AssertionContext, type AssertionInput } from "../../../lib/assertions/index.ts";

const base: AssertionContext = { output: "", variables: {} };

async function one(assertion: AssertionInput, context: Partial<AssertionContext>) {
  const evaluation = await evaluateAssertions([assertion], { ...base, ...context });
  const outcome = evaluation.results[0];
  if (!outcome) throw new Error("no outcome");
  return outcome;
}

describe("text assertions", () => {
  it("equals passes on the exact text and fails with what it got", async () => {
    expect((await one({ type: "equals", value: "Paris" }, { output: "Paris" })).pass).toBe(true);
    const failed = await one({ type: "equals", value: "Paris" }, { output: "paris" });
    expect(failed).toMatchObject({ pass: false, score: 0, reason: 'expected output to equal "Paris", got "paris"' });
  });

  it("equals compares with the expected output when value is omitted", async () => {
    expect((await one({ type: "equals" }, { output: "42", expected: "42" })).pass).toBe(true);
    expect((await one({ type: "equals" }, { output: "41", expected: "42" })).pass).toBe(false);
  });

  it("a numeric value compares as its text", async () => {
    expect((await one({ type: "equals", value: 42 }, { output: "42" })).pass).toBe(true);
  });

  it("contains, and not-contains with its own reason", async () => {
    expect((await one({ type: "contains", value: "Paris" }, { output: "It is Paris." })).pass).toBe(true);
    expect(await one({ type: "contains", value: "Paris" }, { output: "It is Lyon." })).toMatchObject({
      pass: false,
      reason: 'expected output to contain "Paris"',
    });
    expect(await one({ type: "not-contains", value: "Paris" }, { output: "It is Paris." })).toMatchObject({
      type: "not-contains",
      pass: false,
      score: 0,
      reason: 'expected output not to contain "Paris"',
    });
    expect((await one({ type: "not-contains", value: "Paris" }, { output: "Lyon" })).pass).toBe(true);
  });

  it("icontains ignores case; contains does not", async () => {
    expect((await one({ type: "icontains", value: "PARIS" }, { output: "paris" })).pass).toBe(true);
    expect((await one({ type: "contains", value: "PARIS" }, { output: "paris" })).pass).toBe(false);
    expect((await one({ type: "not-icontains", value: "PARIS" }, { output: "paris" })).pass).toBe(false);
  });

  it("contains-any passes on one of the values", async () => {
    const assertion: AssertionInput = { type: "contains-any", value: ["cat", "dog"] };
    expect((await one(assertion, { output: "a dog" })).pass).toBe(true);
    expect(await one(assertion, { output: "a bird" })).toMatchObject({
      pass: false,
      reason: 'expected output to contain any of "cat", "dog"',
    });
    expect(await one({ type: "not-contains-any", value: ["cat", "dog"] }, { output: "a dog" })).toMatchObject({
      pass: false,
      reason: 'expected output to contain none of "cat", "dog", but it contains "dog"',
    });
  });

  it("contains-all scores the share found and honours a threshold", async () => {
    const all: AssertionInput = { type: "contains-all", value: ["a", "b", "c", "d"] };
    expect(await one(all, { output: "a b c" })).toMatchObject({
      pass: false,
      score: 0.75,
      reason: 'expected output to contain all of "a", "b", "c", "d"; missing "d"',
    });
    expect((await one({ ...all, threshold: 0.75 }, { output: "a b c" })).pass).toBe(true);
    expect((await one({ ...all, threshold: 0.8 }, { output: "a b c" })).pass).toBe(false);
    expect((await one(all, { output: "abcd" })).pass).toBe(true);
  });

  it("starts-with", async () => {
    expect((await one({ type: "starts-with", value: "Yes" }, { output: "Yes, it is." })).pass).toBe(true);
    expect((await one({ type: "starts-with", value: "Yes" }, { output: "No. Yes." })).pass).toBe(false);
    expect((await one({ type: "not-starts-with", value: "Yes" }, { output: "No. Yes." })).pass).toBe(true);
  });

  it("regex with flags", async () => {
    expect((await one({ type: "regex", value: "^\\d{3}-\\d{4}$" }, { output: "555-1234" })).pass).toBe(true);
    expect(await one({ type: "regex", value: "^\\d{3}$" }, { output: "12a" })).toMatchObject({
      pass: false,
      reason: "expected output to match /^\\d{3}$/",
    });
    expect((await one({ type: "regex", value: "paris", flags: "i" }, { output: "PARIS" })).pass).toBe(true);
    // a global regex keeps state between calls in JavaScript; it must not here
    const global: AssertionInput = { type: "regex", value: "a", flags: "g" };
    expect((await one(global, { output: "a" })).pass).toBe(true);
    expect((await one(global, { output: "a" })).pass).toBe(true);
  });

  it("word-count between min and max", async () => {
    const assertion: AssertionInput = { type: "word-count", min: 2, max: 4 };
    expect(await one(assertion, { output: "one two three" })).toMatchObject({ pass: true, measured: 3 });
    expect(await one(assertion, { output: "one two three four five" })).toMatchObject({
      pass: false,
      reason: "expected output to have between 2 and 4 words, it has 5",
    });
    expect((await one({ type: "word-count", max: 1 }, { output: "  " })).pass).toBe(true);
    expect((await one({ type: "not-word-count", max: 1 }, { output: "one two" })).pass).toBe(true);
  });

  it("is-refusal recognises apologies and curly apostrophes", async () => {
    expect((await one({ type: "is-refusal" }, { output: "I’m sorry, but I can’t help with that." })).pass).toBe(true);
    expect((await one({ type: "is-refusal" }, { output: "As an AI, I cannot do that" })).pass).toBe(true);
    expect((await one({ type: "is-refusal" }, { output: "The capital of France is Paris." })).pass).toBe(false);
    expect(await one({ type: "not-is-refusal" }, { output: "I cannot assist with that request." })).toMatchObject({
      pass: false,
      reason: 'expected an answer, but the output is a refusal: "I cannot assist with that request."',
    });
  });
});

describe("templated values", () => {
  it("fills {{variables}} and dotted paths", async () => {
    const context = { output: "Hello Ada from Paris", variables: { name: "Ada", user: { city: "Paris" } } };
    expect((await one({ type: "contains", value: "Hello {{name}}" }, context)).pass).toBe(true);
    expect((await one({ type: "contains", value: "from {{ user.city }}" }, context)).pass).toBe(true);
  });

  it("a missing variable fails the assertion, negated or not, naming the variable", async () => {
    for (const type of ["contains", "not-contains"] as const) {
      expect(await one({ type, value: "{{nope}}" }, { output: "x" })).toMatchObject({
        pass: false,
        reason: "the assertion refers to {{nope}}, which is not a variable of this case",
      });
    }
  });

  it("an omitted value with no expected output fails with a reason", async () => {
    expect(await one({ type: "equals" }, { output: "x", expected: null })).toMatchObject({
      pass: false,
      reason: "equals has no value and the case has no expected output to compare with",
    });
  });
});

describe("overall pass and score", () => {
  it("passes only when every assertion passes; score is the weighted mean", async () => {
    const evaluation = await evaluateAssertions(
      [
        { type: "contains", value: "a", weight: 3 },
        { type: "contains", value: "z" },
      ],
      { ...base, output: "abc" },
    );
    expect(evaluation.pass).toBe(false);
    expect(evaluation.score).toBeCloseTo(0.75);
    expect(evaluation.results.map((outcome) => outcome.weight)).toEqual([3, 1]);
  });

  it("no assertions pass with score 1", async () => {
    expect(await evaluateAssertions([], { ...base, output: "x" })).toEqual({ pass: true, score: 1, results: [] });
  });

  it("rejects an invalid assertion with its index", async () => {
    await expect(evaluateAssertions([{ type: "contains" }, { type: "bogus" } as never], base)).rejects.toThrow(
      'assertions[1].type: unknown assertion type "bogus"',
    );
  });
});
