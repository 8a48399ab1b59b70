import { describe, expect, it } from "vitest";
import { evaluateAssertions, validateAssertions, type AssertionContext, type AssertionInput } from "../../../lib/assertions/index.ts";
import { compileLinearRegex, toRe2Syntax } from "../../../lib/assertions/linear-regex.ts";

// User regexes run on RE2 (re2js): linear time in the input, so a catastrophic-backtracking pattern cannot stall the
// server; what RE2 cannot express is refused with a reason naming the construct.

async function one(assertion: AssertionInput, context: Partial<AssertionContext>) {
  const evaluation = await evaluateAssertions([assertion], { output: "", variables: {}, ...context });
  const outcome = evaluation.results[0];
  if (!outcome) throw new Error("no outcome");
  return outcome;
}

const evil = `${"a".repeat(100_000)}b`;

describe("linear-time regexes", () => {
  it("ReDoS: ^(a+)+$ against 100,000 a's and a b returns (no match) instead of backtracking for ages", async () => {
    const outcome = await one({ type: "regex", value: "^(a+)+$" }, { output: evil });
    expect(outcome).toMatchObject({ pass: false, reason: "expected output to match /^(a+)+$/" });
    expect((await one({ type: "not-regex", value: "^(a+)+$" }, { output: evil })).pass).toBe(true);
    expect((await one({ type: "regex", value: "^(a+)+b$" }, { output: evil })).pass).toBe(true);
  });

  it("ReDoS through JSON Schema: a `pattern` runs on the same engine", async () => {
    const schema = { type: "object", properties: { name: { type: "string", pattern: "^(a+)+$" } } };
    const outcome = await one({ type: "json-schema", value: schema }, { output: JSON.stringify({ name: evil }) });
    expect(outcome.pass).toBe(false);
    expect(outcome.reason).toContain('must match pattern "^(a+)+$"');
  });

  it("lookahead is refused when the suite is validated, with a reason that names it", () => {
    expect(validateAssertions([{ type: "regex", value: "^(?=.*\\d)\\w+$" }])).toEqual([
      { path: "assertions[0].value", message: "lookahead (?=…) is not supported by the linear-time regex engine" },
    ]);
    expect(validateAssertions([{ type: "regex", value: "(a)\\1" }])).toEqual([
      { path: "assertions[0].value", message: "backreferences (\\1) are not supported by the linear-time regex engine" },
    ]);
    expect(validateAssertions([{ type: "json-schema", value: { type: "string", pattern: "(?!x)y" } }])).toEqual([
      {
        path: "assertions[0].value",
        message: "invalid JSON Schema: lookahead (?!…) is not supported by the linear-time regex engine",
      },
    ]);
  });

  it("a pattern built from {{variables}} that RE2 cannot run fails the assertion with the reason", async () => {
    const outcome = await one({ type: "regex", value: "{{ pattern }}" }, { output: "abc", variables: { pattern: "a(?=b)" } });
    expect(outcome).toMatchObject({
      pass: false,
      reason: "the pattern /a(?=b)/ cannot run: lookahead (?=…) is not supported by the linear-time regex engine",
    });
  });

  it("keeps JavaScript's meaning: flags i, m, s, y, \\u escapes, [^], lookbehind, named groups, identity escapes", () => {
    expect(compileLinearRegex("HELLO", "i").test("say hello")).toBe(true);
    expect(compileLinearRegex("^b$", "m").test("a\nb\nc")).toBe(true);
    expect(compileLinearRegex("^b$", "").test("a\nb\nc")).toBe(false);
    expect(compileLinearRegex("a.b", "s").test("a\nb")).toBe(true);
    expect(compileLinearRegex("a.b", "").test("a\nb")).toBe(false);
    expect(compileLinearRegex("b", "y").test("ab")).toBe(false);
    expect(compileLinearRegex("\\u00e9t\\u00E9", "").test("été")).toBe(true);
    expect(compileLinearRegex("\\uD83D\\uDE00", "").test("smile 😀")).toBe(true);
    expect(compileLinearRegex("\\u{1F600}", "u").test("😀")).toBe(true);
    expect(compileLinearRegex("a[^]b", "").test("a\nb")).toBe(true);
    expect(compileLinearRegex("(?<=\\$)\\d+", "").test("$42")).toBe(true);
    expect(compileLinearRegex("(?<year>\\d{4})-\\d{2}", "").test("2024-05")).toBe(true);
    expect(compileLinearRegex("\\e\\-\\/", "").test("e-/")).toBe(true);
    expect(toRe2Syntax("[\\w[]+")).toBe("[\\w\\[]+");
  });
});
