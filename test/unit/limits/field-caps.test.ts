import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { neutralizeFormula, restoreFormula } from "../../../lib/csv-formula.ts";
import { errorBody } from "../../../lib/errors.ts";
import { checkMaxTokens, storedOutput } from "../../../lib/limits.ts";
import { formatByteLimit } from "../../../lib/format.ts";
import { draftInput, playgroundRunInput } from "../../../lib/playground/schema.ts";
import { promptVersionInput } from "../../../lib/prompts/schema.ts";
import { caseInput } from "../../../lib/suites/schema.ts";

// Per-field caps: a 400 whose message names the field and the cap in words.

function messageOf(schema: z.ZodType, input: unknown): string {
  const result = schema.safeParse(input);
  if (result.success) throw new Error("expected the input to be refused");
  return errorBody(result.error).error.message;
}

const user = (content: string) => ({ role: "user", content });
const long = (characters: number) => "x".repeat(characters);

describe("field caps", () => {
  it("a prompt message over 200,000 characters names messages.N.content", () => {
    const input = { messages: [user("a"), user("b"), user(long(200_001))] };
    expect(messageOf(promptVersionInput, input)).toBe("messages.2.content: at most 200,000 characters");
  });

  it("more than 50 messages, 100 examples, or a 501-character commit message", () => {
    expect(messageOf(promptVersionInput, { messages: Array.from({ length: 51 }, () => user("hi")) })).toBe(
      "messages: at most 50 messages",
    );
    const examples = Array.from({ length: 101 }, () => ({ variables: {}, output: "ok" }));
    expect(messageOf(promptVersionInput, { messages: [user("hi")], examples })).toBe("examples: at most 100 examples");
    expect(messageOf(promptVersionInput, { messages: [user("hi")], commitMessage: long(501) })).toBe(
      "commitMessage: at most 500 characters",
    );
    expect(
      messageOf(promptVersionInput, { messages: [user("hi")], examples: [{ variables: {}, output: long(100_001) }] }),
    ).toBe("examples.0.output: at most 100,000 characters");
  });

  it("a variable value over the cap, as text or as JSON, names the variable", () => {
    expect(messageOf(promptVersionInput, { messages: [user("hi")], examples: [{ variables: { topic: long(200_001) }, output: "" }] })).toBe(
      "examples.0.variables.topic: at most 200,000 characters",
    );
    expect(messageOf(caseInput, { variables: { question: long(200_001) } })).toBe("variables.question: at most 200,000 characters");
    expect(messageOf(caseInput, { variables: { items: [long(100_000), long(100_000)] } })).toBe(
      "variables.items: at most 200,000 characters",
    );
    expect(messageOf(caseInput, { expected: long(200_001) })).toBe("expected: at most 200,000 characters");
  });

  it("the playground's draft and variables have the same caps", () => {
    const draft = { messages: [user("hi")] };
    expect(
      messageOf(playgroundRunInput, {
        promptId: "p",
        versionId: null,
        draft,
        variables: { input: long(200_001) },
        targets: [{ key: "a", connectionId: "c", model: "m" }],
      }),
    ).toBe("variables.input: at most 200,000 characters");
    expect(messageOf(draftInput, { ...draft, examples: [{ variables: {}, output: long(100_001) }] })).toBe(
      "examples.0.output: at most 100,000 characters",
    );
  });

  it("maxTokens above the model's context window is refused naming the field and the window", () => {
    expect(() => checkMaxTokens("targets.0.params", 10_000, "gpt-4o-mini", 8192)).toThrow(
      "targets.0.params.maxTokens: at most 8,192 for gpt-4o-mini's context window",
    );
    expect(() => checkMaxTokens("targets.0.params", 8192, "gpt-4o-mini", 8192)).not.toThrow();
    expect(() => checkMaxTokens("targets.0.params", 10_000, "unknown-model", null)).not.toThrow();
  });

  it("stored output is cut at the cap with a marker", () => {
    expect(storedOutput("abcdef", 4)).toBe("abcd…[truncated]");
    expect(storedOutput("abcd", 4)).toBe("abcd");
  });

  it("sizes read as the operator wrote them", () => {
    expect([formatByteLimit(1024 ** 2), formatByteLimit(200 * 1024 ** 2), formatByteLimit(1000), formatByteLimit(1536)]).toEqual([
      "1 MB",
      "200 MB",
      "1,000 bytes",
      "1.5 KB",
    ]);
  });
});

describe("CSV formula neutralization", () => {
  it("prefixes a quote to cells beginning with =, +, -, @, tab or CR, and leaves other text alone", () => {
    expect(["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain", "", "a=b"].map(neutralizeFormula)).toEqual([
      "'=1+1",
      "'+1",
      "'-2",
      "'@SUM(A1)",
      "'\tx",
      "'\rx",
      "plain",
      "",
      "a=b",
    ]);
  });

  it("round-trips through the importer, quotes that were there included", () => {
    for (const text of ["=HYPERLINK(\"x\")", "'=already quoted", "''-two", "'plain quote", "-"]) {
      expect(restoreFormula(neutralizeFormula(text))).toBe(text);
    }
    expect(neutralizeFormula("'=already quoted")).toBe("''=already quoted");
    expect(neutralizeFormula("'plain quote")).toBe("'plain quote");
  });
});
