import { describe, expect, it, vi } from "vitest";
import {
  evaluateAssertions,
  normalizedSimilarity,
  type AssertionContext,
  type AssertionInput,
  type Judge,
} from "../../../lib/assertions/index.ts";

const base: AssertionContext = { output: "", variables: {} };

async function one(assertion: AssertionInput, context: Partial<AssertionContext>, judge?: Judge) {
  const evaluation = await evaluateAssertions([assertion], { ...base, ...context }, judge ? { judge } : {});
  const outcome = evaluation.results[0];
  if (!outcome) throw new Error("no outcome");
  return outcome;
}

describe("JSON assertions", () => {
  it("contains-json finds JSON inside prose or a code fence, and checks a schema against the values found", async () => {
    expect((await one({ type: "contains-json" }, { output: 'Here you go:\n```json\n{"city": "Paris", "note": "a } in a string"}\n```' })).pass).toBe(true);
    expect((await one({ type: "contains-json" }, { output: "no braces at all, or a broken one: {city: Paris}" })).pass).toBe(false);
    const schema = { type: "object", required: ["city"], properties: { city: { type: "string" } } };
    expect((await one({ type: "contains-json", value: schema }, { output: 'first [1, 2] then {"city": "Oslo"}' })).pass).toBe(true);
    const wrong = await one({ type: "contains-json", value: schema }, { output: 'only {"town": "Oslo"}' });
    expect(wrong.pass).toBe(false);
    expect(wrong.reason).toBe("expected output to contain JSON matching the schema, but none of its JSON values does");
    expect((await one({ type: "not-contains-json" }, { output: "plain text" })).pass).toBe(true);
  });

  it("is-json needs the whole output to be JSON", async () => {
    expect((await one({ type: "is-json" }, { output: '{"a": 1}' })).pass).toBe(true);
    const fenced = await one({ type: "is-json" }, { output: '```json\n{"a": 1}\n```' });
    expect(fenced.pass).toBe(false);
    expect(fenced.reason).toMatch(/^expected output to be JSON, but it is not/);
    expect((await one({ type: "not-is-json" }, { output: "plain" })).pass).toBe(true);
  });

  it("json-schema reports where the output breaks the schema", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, population: { type: "integer" } },
      required: ["city", "population"],
    };
    expect((await one({ type: "json-schema", value: schema }, { output: '{"city":"Paris","population":2}' })).pass).toBe(
      true,
    );
    const wrong = await one({ type: "json-schema", value: schema }, { output: '{"city":"Paris","population":"many"}' });
    expect(wrong.pass).toBe(false);
    expect(wrong.reason).toBe("expected output to match the JSON Schema: /population must be integer");
    expect((await one({ type: "json-schema", value: schema }, { output: "not json" })).reason).toMatch(
      /but it is not JSON/,
    );
    expect((await one({ type: "not-json-schema", value: schema }, { output: '{"city":"x"}' })).pass).toBe(true);
  });

  it("json-schema supports formats and 2020-12 schemas", async () => {
    const email = { type: "string", format: "email" };
    expect((await one({ type: "json-schema", value: email }, { output: '"a@b.co"' })).pass).toBe(true);
    expect((await one({ type: "json-schema", value: email }, { output: '"nope"' })).pass).toBe(false);
    const modern = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "array",
      prefixItems: [{ type: "number" }],
      items: false,
    };
    expect((await one({ type: "json-schema", value: modern }, { output: "[1]" })).pass).toBe(true);
    expect((await one({ type: "json-schema", value: modern }, { output: "[1, 2]" })).pass).toBe(false);
  });

  it("json-path equals, with the expected output as a string that spells the value", async () => {
    const output = '{"answer":{"city":"Paris","population":2100000},"tags":["a","b"]}';
    expect((await one({ type: "json-path", path: "$.answer.city", value: "Paris" }, { output })).pass).toBe(true);
    expect((await one({ type: "json-path", path: "$.answer.population" }, { output, expected: "2100000" })).pass).toBe(
      true,
    );
    expect((await one({ type: "json-path", path: "$.tags", value: ["a", "b"] }, { output })).pass).toBe(true);
    expect((await one({ type: "json-path", path: "$.tags[*]" }, { output, expected: '["a","b"]' })).pass).toBe(true);
    expect(await one({ type: "json-path", path: "$.answer.city", value: "Lyon" }, { output })).toMatchObject({
      pass: false,
      reason: 'expected $.answer.city to equal "\\"Lyon\\"", got "\\"Paris\\""',
    });
    expect((await one({ type: "json-path", path: "$.missing", value: 1 }, { output })).reason).toBe(
      'expected $.missing in the output to equal "1", but nothing is at $.missing',
    );
    expect((await one({ type: "not-json-path", path: "$.answer.city", value: "Lyon" }, { output })).pass).toBe(true);
  });
});

describe("distance assertions", () => {
  it("levenshtein passes within the threshold and reports the distance", async () => {
    expect(await one({ type: "levenshtein", value: "kitten", threshold: 3 }, { output: "sitting" })).toMatchObject({
      pass: true,
      measured: 3,
    });
    expect(await one({ type: "levenshtein", value: "kitten", threshold: 2 }, { output: "sitting" })).toMatchObject({
      pass: false,
      reason: 'expected output within 2 edits of "kitten", it is 3 away',
    });
    // default threshold 5
    expect((await one({ type: "levenshtein" }, { output: "abcdefgh", expected: "abc" })).pass).toBe(true);
    expect((await one({ type: "levenshtein" }, { output: "abcdefghi", expected: "abc" })).pass).toBe(false);
    expect((await one({ type: "not-levenshtein", value: "kitten", threshold: 2 }, { output: "sitting" })).pass).toBe(
      true,
    );
  });

  it("similarity is 1 − distance / longer length after collapsing whitespace", async () => {
    expect(normalizedSimilarity("kitten", "sitting")).toBeCloseTo(1 - 3 / 7);
    expect(normalizedSimilarity("  a   b ", "a b")).toBe(1);
    expect(normalizedSimilarity("", "")).toBe(1);
    const assertion: AssertionInput = { type: "similarity", value: "The capital is Paris", threshold: 0.9 };
    const close = await one(assertion, { output: "The capital is Paris." });
    expect(close.pass).toBe(true);
    expect(close.score).toBeCloseTo(1 - 1 / 21);
    const far = await one(assertion, { output: "Lyon" });
    expect(far.pass).toBe(false);
    expect(far.reason).toMatch(/^expected output at least 0.9 similar to "The capital is Paris", it is 0\.\d\d$/);
    const negated = await one({ ...assertion, type: "not-similarity" }, { output: "Lyon" });
    expect(negated.pass).toBe(true);
    expect(negated.score).toBeCloseTo(1 - far.score);
  });
});

describe("call assertions", () => {
  it("latency, cost and output tokens pass at or below the threshold", async () => {
    expect((await one({ type: "latency", threshold: 500 }, { latencyMs: 500 })).pass).toBe(true);
    expect(await one({ type: "latency", threshold: 500 }, { latencyMs: 532.4 })).toMatchObject({
      pass: false,
      reason: "expected latency at most 500 ms, it was 532 ms",
      measured: 532.4,
    });
    expect((await one({ type: "cost", threshold: 0.01 }, { cost: 0.002 })).pass).toBe(true);
    expect((await one({ type: "cost", threshold: 0.001 }, { cost: 0.002 })).pass).toBe(false);
    expect((await one({ type: "output-tokens", threshold: 100 }, { outputTokens: 101 })).reason).toBe(
      "expected output tokens at most 100 tokens, it was 101 tokens",
    );
    expect((await one({ type: "not-latency", threshold: 500 }, { latencyMs: 900 })).pass).toBe(true);
  });

  it("an unmeasured figure fails, negated or not", async () => {
    for (const type of ["latency", "not-latency"] as const) {
      expect(await one({ type, threshold: 500 }, { latencyMs: null })).toMatchObject({
        pass: false,
        reason: "latency was not measured for this call, so it cannot be compared with 500 ms",
      });
    }
  });

  it("finish-reason", async () => {
    expect((await one({ type: "finish-reason", value: "stop" }, { finishReason: "stop" })).pass).toBe(true);
    expect(await one({ type: "finish-reason", value: "stop" }, { finishReason: "length" })).toMatchObject({
      pass: false,
      reason: 'expected finish reason "stop", it was "length"',
    });
    expect((await one({ type: "not-finish-reason", value: "length" }, { finishReason: "stop" })).pass).toBe(true);
  });
});

describe("llm-rubric", () => {
  it("passes the rubric, output and context to the judge and stores its reasoning", async () => {
    const judge = vi.fn<Judge>(async () => ({ pass: false, score: 0.4, reasoning: "It never names the city." }));
    const outcome = await one(
      { type: "llm-rubric", value: "Names the capital of {{country}}" },
      { output: "A big city.", variables: { country: "France" } },
      judge,
    );
    expect(judge).toHaveBeenCalledWith("Names the capital of France", "A big city.", expect.objectContaining({}));
    expect(outcome).toMatchObject({
      pass: false,
      score: 0.4,
      reasoning: "It never names the city.",
      reason: 'the judge found the rubric "Names the capital of France" not met: It never names the city.',
    });
  });

  it("a threshold overrides the judge's verdict with its score", async () => {
    const judge: Judge = async () => ({ pass: false, score: 0.7, reasoning: "Mostly right." });
    expect((await one({ type: "llm-rubric", value: "r", threshold: 0.6 }, { output: "x" }, judge)).pass).toBe(true);
    expect((await one({ type: "llm-rubric", value: "r", threshold: 0.8 }, { output: "x" }, judge)).pass).toBe(false);
  });

  it("without a judge it is an error, not a silent failure", async () => {
    await expect(one({ type: "llm-rubric", value: "r" }, { output: "x" })).rejects.toThrow(/needs a judge model/);
  });
});

describe("label", () => {
  const classes = ["Positive", "Negative", "Neutral"];

  it("normalizes case, whitespace and punctuation and reports the predicted class", async () => {
    expect(await one({ type: "label", classes }, { output: "  positive.\n", expected: "Positive" })).toMatchObject({
      pass: true,
      predicted: "Positive",
    });
    expect(await one({ type: "label", classes }, { output: "Negative!", expected: "positive" })).toMatchObject({
      pass: false,
      predicted: "Negative",
      reason: 'expected the label "Positive", got "Negative"',
    });
    expect(await one({ type: "label", classes }, { output: "I think positive", expected: "positive" })).toMatchObject({
      pass: false,
      predicted: null,
    });
  });

  it("an expected class outside the classes is a failure naming it", async () => {
    expect((await one({ type: "label", classes }, { output: "Positive", expected: "Mixed" })).reason).toBe(
      'the expected class "Mixed" is not one of the classes "Positive", "Negative", "Neutral"',
    );
  });
});
