import { describe, expect, it } from "vitest";
import { diffText, diffVersions, type DiffableVersion } from "../../../lib/prompts/diff.ts";

const base: DiffableVersion = {
  messages: [{ role: "user", content: "Review: {{ review }}\nAnswer." }],
  examples: [
    { variables: { review: "Love it" }, output: "pos" },
    { variables: { review: "Hate it" }, output: "negative" },
  ],
  counterexamples: [{ variables: { review: "Okay" }, output: "Neutral!", reason: "Punctuation." }],
  exampleMode: "chat",
  model: "gpt-4o",
  connectionId: "connection-1",
  params: { temperature: 0.7, maxTokens: 10, stop: ["\n"] },
};

describe("diffText", () => {
  it("gives line and word parts for an edit", () => {
    expect(diffText("a b c\nsame", "a x c\nsame")).toEqual({
      changed: true,
      lines: [
        { kind: "removed", text: "a b c\n" },
        { kind: "added", text: "a x c\n" },
        { kind: "equal", text: "same" },
      ],
      words: [
        { kind: "equal", text: "a " },
        { kind: "removed", text: "b" },
        { kind: "added", text: "x" },
        { kind: "equal", text: " c\nsame" },
      ],
    });
  });

  it("reports no change for equal texts", () => {
    expect(diffText("same", "same")).toEqual({ changed: false, lines: [{ kind: "equal", text: "same" }], words: [{ kind: "equal", text: "same" }] });
  });
});

describe("diffVersions", () => {
  it("finds nothing between a version and itself", () => {
    const diff = diffVersions(base, structuredClone(base));
    expect(diff.changed).toBe(false);
    expect(diff.params).toEqual([]);
    expect(diff.messages.map((message) => message.status)).toEqual(["unchanged"]);
  });

  it("aligns messages by role, so an inserted system message does not mark the user message as rewritten", () => {
    const diff = diffVersions(base, { ...base, messages: [{ role: "system", content: "Be brief." }, ...base.messages] });
    expect(diff.messages.map(({ status, oldIndex, newIndex, role }) => ({ status, oldIndex, newIndex, role }))).toEqual([
      { status: "added", oldIndex: null, newIndex: 0, role: "system" },
      { status: "unchanged", oldIndex: 0, newIndex: 1, role: "user" },
    ]);
  });

  it("shows a word-level edit inside a message and a removed message", () => {
    const diff = diffVersions(
      { ...base, messages: [{ role: "system", content: "Old rules." }, ...base.messages] },
      { ...base, messages: [{ role: "user", content: "Review: {{ review }}\nAnswer in one word." }] },
    );
    expect(diff.messages[0]).toMatchObject({ status: "removed", oldIndex: 0, newIndex: null, role: "system" });
    expect(diff.messages[1]?.status).toBe("changed");
    expect(diff.messages[1]?.content.words).toEqual([
      { kind: "equal", text: "Review: {{ review }}\nAnswer" },
      { kind: "added", text: " in one word" },
      { kind: "equal", text: "." },
    ]);
  });

  it("pairs an edited example in place and lists added and removed ones", () => {
    const diff = diffVersions(base, {
      ...base,
      examples: [
        { variables: { review: "Love it!" }, output: "positive" },
        { variables: { review: "Hate it" }, output: "negative" },
        { variables: { review: "Meh" }, output: "neutral" },
      ],
      counterexamples: [],
    });
    expect(diff.examples.map(({ status, oldIndex, newIndex }) => [status, oldIndex, newIndex])).toEqual([
      ["changed", 0, 0],
      ["unchanged", 1, 1],
      ["added", null, 2],
    ]);
    expect(diff.examples[0]?.variables).toEqual([{ key: "review", old: "Love it", new: "Love it!" }]);
    expect(diff.examples[0]?.output.words).toEqual([
      { kind: "removed", text: "pos" },
      { kind: "added", text: "positive" },
    ]);
    expect(diff.counterexamples).toMatchObject([
      { status: "removed", oldIndex: 0, newIndex: null, variables: [{ key: "review", old: "Okay", new: undefined }] },
    ]);
    expect(diff.counterexamples[0]?.reason?.lines).toEqual([{ kind: "removed", text: "Punctuation." }]);
  });

  it("diffs a counterexample's reason", () => {
    const diff = diffVersions(base, {
      ...base,
      counterexamples: [{ variables: { review: "Okay" }, output: "Neutral!", reason: "Punctuation is not allowed." }],
    });
    expect(diff.counterexamples[0]).toMatchObject({ status: "changed", variables: [], output: { changed: false } });
    expect(diff.counterexamples[0]?.reason?.changed).toBe(true);
  });

  it("ignores the order of variable keys", () => {
    const two = { ...base, examples: [{ variables: { a: "1", b: "2" }, output: "x" }] };
    const swapped = { ...base, examples: [{ variables: { b: "2", a: "1" }, output: "x" }] };
    expect(diffVersions(two, swapped).changed).toBe(false);
  });

  it("lists changed settings with old and new values, parameters in a fixed order", () => {
    const diff = diffVersions(base, {
      ...base,
      exampleMode: "inline",
      model: "gpt-4.1-mini",
      connectionId: null,
      params: { seed: 7, maxTokens: 10, temperature: 0, responseFormat: { type: "json_object" } },
    });
    expect(diff.exampleMode).toEqual({ old: "chat", new: "inline" });
    expect(diff.model).toEqual({ old: "gpt-4o", new: "gpt-4.1-mini" });
    expect(diff.connectionId).toEqual({ old: "connection-1", new: null });
    expect(diff.params).toEqual([
      { key: "temperature", old: 0.7, new: 0 },
      { key: "stop", old: ["\n"], new: undefined },
      { key: "seed", old: undefined, new: 7 },
      { key: "responseFormat", old: undefined, new: { type: "json_object" } },
    ]);
    expect(diff.changed).toBe(true);
  });
});
