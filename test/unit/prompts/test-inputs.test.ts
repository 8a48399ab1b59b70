import { describe, expect, it } from "vitest";
import { diffVersions } from "../../../lib/prompts/diff.ts";
import { promptVersionInput, testInputs } from "../../../lib/prompts/schema.ts";

const messages = [{ role: "user" as const, content: "{{ message }}" }];
const paths = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((issue) => `${issue.path.join(".")}: ${issue.message}`);

describe("test inputs schema", () => {
  it("defaults to none and keeps names trimmed, order as given", () => {
    expect(promptVersionInput.parse({ messages }).testInputs).toEqual([]);
    const parsed = testInputs.parse([
      { name: "  Second ", variables: { message: "b" } },
      { name: "First", variables: { message: "a", count: 3 } },
    ]);
    expect(parsed).toEqual([
      { name: "Second", variables: { message: "b" } },
      { name: "First", variables: { message: "a", count: 3 } },
    ]);
  });

  it("names the input whose name is taken, empty or too long", () => {
    expect(paths(testInputs.safeParse([{ name: "A", variables: {} }, { name: "A", variables: {} }]))).toEqual(['1.name: Another test input is already named "A"']);
    expect(paths(testInputs.safeParse([{ name: " ", variables: {} }]))).toEqual(["0.name: Give the test input a name"]);
    expect(paths(testInputs.safeParse([{ name: "x".repeat(101), variables: {} }]))).toEqual(["0.name: at most 100 characters"]);
  });

  it("caps their number at 50 and checks variables as examples do", () => {
    const many = Array.from({ length: 51 }, (_, index) => ({ name: `Input ${index}`, variables: {} }));
    expect(paths(testInputs.safeParse(many))).toEqual([": at most 50 test inputs"]);
    expect(testInputs.safeParse(many.slice(0, 50)).success).toBe(true);
    const bad = paths(promptVersionInput.safeParse({ messages, testInputs: [{ name: "A", variables: { "1st": "x" } }] }));
    expect(bad).toEqual(["testInputs.0.variables.1st: Invalid key in record"]);
  });
});

describe("test inputs in the version diff", () => {
  const base = { messages, examples: [], counterexamples: [], exampleMode: "chat" as const, params: {} };
  it("lists those added, removed and changed by name, without calling the content changed", () => {
    const diff = diffVersions(
      { ...base, testInputs: [{ name: "Kept", variables: { message: "a" } }, { name: "Gone", variables: { message: "b" } }, { name: "Edited", variables: { message: "c" } }] },
      { ...base, testInputs: [{ name: "Edited", variables: { message: "C" } }, { name: "Kept", variables: { message: "a" } }, { name: "New", variables: { message: "d" } }] },
    );
    expect(diff.changed).toBe(false);
    expect(diff.testInputs).toEqual([
      { key: "Edited", old: { message: "c" }, new: { message: "C" } },
      { key: "New", old: undefined, new: { message: "d" } },
      { key: "Gone", old: { message: "b" }, new: undefined },
    ]);
    expect(diffVersions(base, base).testInputs).toEqual([]);
  });
});
