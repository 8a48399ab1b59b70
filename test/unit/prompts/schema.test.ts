import { describe, expect, it } from "vitest";
import { parseVersionRef } from "../../../lib/prompts/labels.ts";
import { createPromptInput, moveLabelInput, promptVersionInput } from "../../../lib/prompts/schema.ts";

function issues(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return result.error?.issues.map((issue) => [issue.path.join("."), issue.message]) ?? [];
}

describe("promptVersionInput", () => {
  it("applies defaults to a minimal version", () => {
    expect(promptVersionInput.parse({ messages: [{ role: "user", content: "{{ input }}" }] })).toEqual({
      messages: [{ role: "user", content: "{{ input }}" }],
      examples: [],
      counterexamples: [],
      testInputs: [],
      exampleMode: "chat",
      params: {},
      commitMessage: "",
    });
  });

  it("names each invalid field", () => {
    const result = promptVersionInput.safeParse({
      messages: [{ role: "system", content: "Only a system message" }],
      counterexamples: [{ variables: {}, output: "bad", reason: "first line\nsecond line" }, { variables: {}, output: "bad", reason: " " }],
      params: { temperature: 2.5, topP: -0.1, stop: ["a", "b", "c", "d", "e"], seed: 1.5, responseFormat: { type: "json_schema", name: "has space", schema: {} } },
    });
    expect(issues(result)).toEqual([
      ["messages", "A prompt needs at least one user message"],
      ["counterexamples.0.reason", "Keep the reason to one line"],
      ["counterexamples.1.reason", "Say in one line why this output is wrong"],
      ["params.temperature", "Too big: expected number to be <=2"],
      ["params.topP", "Too small: expected number to be >=0"],
      ["params.stop", "At most 4 stop sequences"],
      ["params.seed", "Invalid input: expected int, received number"],
      ["params.responseFormat.name", "Schema name: 1–64 letters, digits, - or _"],
    ]);
  });

  it("accepts structured variable values and a JSON schema response format", () => {
    const parsed = promptVersionInput.parse({
      messages: [{ role: "user", content: "{{ order.id }}" }],
      examples: [{ variables: { order: { id: 7, items: ["a"] } }, output: "7" }],
      params: { responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true } },
    });
    expect(parsed.examples[0]?.variables.order).toEqual({ id: 7, items: ["a"] });
  });
});

describe("createPromptInput and moveLabelInput", () => {
  it("trims names and refuses '@', which separates references", () => {
    expect(createPromptInput.parse({ name: "  Summarize tickets " }).name).toBe("Summarize tickets");
    expect(issues(createPromptInput.safeParse({ name: "a@b" }))).toEqual([["name", 'A prompt name cannot contain "@"']]);
    expect(createPromptInput.safeParse({ name: "x".repeat(101) }).success).toBe(false);
    expect(createPromptInput.safeParse({ name: "   " }).success).toBe(false);
  });

  it("allows lowercase label names only, and not the reserved 'latest'", () => {
    expect(moveLabelInput.safeParse({ name: "production", versionId: "v" }).success).toBe(true);
    expect(moveLabelInput.safeParse({ name: "canary_2-eu", versionId: "v" }).success).toBe(true);
    expect(moveLabelInput.safeParse({ name: "Production", versionId: "v" }).success).toBe(false);
    expect(moveLabelInput.safeParse({ name: "prod env", versionId: "v" }).success).toBe(false);
    expect(moveLabelInput.safeParse({ name: "latest", versionId: "v" }).success).toBe(false);
  });
});

describe("parseVersionRef", () => {
  it.each([
    ["summarize", { name: "summarize", kind: "latest" }],
    ["summarize@latest", { name: "summarize", kind: "latest" }],
    ["summarize@3", { name: "summarize", kind: "number", number: 3 }],
    ["summarize@production", { name: "summarize", kind: "label", label: "production" }],
    ["Ticket triage@v2", { name: "Ticket triage", kind: "label", label: "v2" }],
  ])("reads %s", (ref, expected) => {
    expect(parseVersionRef(ref)).toEqual(expected);
  });

  it.each(["", "@3", "summarize@"])("refuses %j", (ref) => {
    expect(() => parseVersionRef(ref)).toThrowError(/not a prompt reference/);
  });
});
