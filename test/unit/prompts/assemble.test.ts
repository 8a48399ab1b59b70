import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/errors.ts";
import { assembleMessages } from "../../../lib/prompts/assemble.ts";
import type { PromptContent } from "../../../lib/prompts/types.ts";

const sentiment: PromptContent = {
  messages: [
    { role: "system", content: "You classify the sentiment of {{ domain }} reviews. Answer with one word." },
    { role: "user", content: "Review: {{ review }}" },
  ],
  examples: [
    { variables: { review: "Works great, five stars." }, output: "positive" },
    { variables: { review: "Broke after a day." }, output: "negative" },
  ],
  counterexamples: [
    {
      variables: { review: "It's fine." },
      output: "The sentiment of this review is neutral.",
      reason: "A sentence instead of one word.",
    },
  ],
  exampleMode: "chat",
};

const input = { domain: "product", review: "Arrived late but\nworks." };

describe("assembleMessages in chat mode", () => {
  it("turns examples into user/assistant turns before the input and counterexamples into a system section", () => {
    expect(assembleMessages(sentiment, input)).toEqual([
      {
        role: "system",
        content: [
          "You classify the sentiment of product reviews. Answer with one word.",
          "",
          "## Do not answer like this",
          "",
          "Each counterexample below shows a user message, a wrong answer to it and why it is wrong. Never answer in these ways.",
          "",
          '<counterexample number="1">',
          "<user_message>Review: It's fine.</user_message>",
          "<wrong_answer>The sentiment of this review is neutral.</wrong_answer>",
          "<why_wrong>A sentence instead of one word.</why_wrong>",
          "</counterexample>",
        ].join("\n"),
      },
      { role: "user", content: "Review: Works great, five stars." },
      { role: "assistant", content: "positive" },
      { role: "user", content: "Review: Broke after a day." },
      { role: "assistant", content: "negative" },
      { role: "user", content: "Review: Arrived late but\nworks." },
    ]);
  });

  it("is zero-shot when there are no examples: just the rendered messages", () => {
    expect(assembleMessages({ ...sentiment, examples: [], counterexamples: [] }, input)).toEqual([
      { role: "system", content: "You classify the sentiment of product reviews. Answer with one word." },
      { role: "user", content: "Review: Arrived late but\nworks." },
    ]);
  });

  it("creates a system message for counterexamples when the prompt has none, putting multi-line parts on their own lines", () => {
    const messages = assembleMessages(
      {
        messages: [{ role: "user", content: "Summarize:\n{{ text }}" }],
        examples: [],
        counterexamples: [{ variables: { text: "A long text." }, output: "Line one.\nLine two.", reason: "Two lines, one wanted." }],
        exampleMode: "chat",
      },
      { text: "Real text." },
    );
    expect(messages).toEqual([
      {
        role: "system",
        content: [
          "## Do not answer like this",
          "",
          "Each counterexample below shows a user message, a wrong answer to it and why it is wrong. Never answer in these ways.",
          "",
          '<counterexample number="1">',
          "<user_message>\nSummarize:\nA long text.\n</user_message>",
          "<wrong_answer>\nLine one.\nLine two.\n</wrong_answer>",
          "<why_wrong>Two lines, one wanted.</why_wrong>",
          "</counterexample>",
        ].join("\n"),
      },
      { role: "user", content: "Summarize:\nReal text." },
    ]);
  });

  it("puts example turns after fixed turns and before the last user message, keeping a trailing assistant prefill", () => {
    const messages = assembleMessages(
      {
        messages: [
          { role: "user", content: "Here is the glossary: {{ glossary }}" },
          { role: "assistant", content: "Noted." },
          { role: "user", content: "Translate: {{ text }}" },
          { role: "assistant", content: "Translation:" },
        ],
        examples: [{ variables: { text: "chat" }, output: "cat" }],
        counterexamples: [],
        exampleMode: "chat",
      },
      { glossary: "chat=cat", text: "chien" },
    );
    expect(messages).toEqual([
      { role: "user", content: "Here is the glossary: chat=cat" },
      { role: "assistant", content: "Noted." },
      { role: "user", content: "Translate: chat" },
      { role: "assistant", content: "cat" },
      { role: "user", content: "Translate: chien" },
      { role: "assistant", content: "Translation:" },
    ]);
  });
});

describe("assembleMessages in inline mode", () => {
  it("writes examples and counterexamples into the input message, delimited, before the actual input", () => {
    expect(assembleMessages({ ...sentiment, exampleMode: "inline" }, input)).toEqual([
      { role: "system", content: "You classify the sentiment of product reviews. Answer with one word." },
      {
        role: "user",
        content: [
          "<examples>",
          "Examples of inputs and the ideal answer to each:",
          "",
          '<example number="1">',
          "<input>",
          "<review>Works great, five stars.</review>",
          "</input>",
          "<ideal_answer>positive</ideal_answer>",
          "</example>",
          "",
          '<example number="2">',
          "<input>",
          "<review>Broke after a day.</review>",
          "</input>",
          "<ideal_answer>negative</ideal_answer>",
          "</example>",
          "</examples>",
          "",
          "<counterexamples>",
          "Do not answer like this. Each shows an input, a wrong answer and why it is wrong:",
          "",
          '<counterexample number="1">',
          "<input>",
          "<review>It's fine.</review>",
          "</input>",
          "<wrong_answer>The sentiment of this review is neutral.</wrong_answer>",
          "<why_wrong>A sentence instead of one word.</why_wrong>",
          "</counterexample>",
          "</counterexamples>",
          "",
          "Review: Arrived late but\nworks.",
        ].join("\n"),
      },
    ]);
  });

  it("shows only the variables the input message uses, in its order, structured values as JSON", () => {
    const messages = assembleMessages(
      {
        messages: [{ role: "user", content: "{{ question }} (context: {{ context }})" }],
        examples: [{ variables: { context: { year: 2024 }, question: "Which year?", note: "ignored" }, output: "2024" }],
        counterexamples: [],
        exampleMode: "inline",
      },
      { question: "Next year?", context: { year: 2024 } },
    );
    expect(messages[0]?.content).toBe(
      [
        "<examples>",
        "Examples of inputs and the ideal answer to each:",
        "",
        '<example number="1">',
        "<input>",
        "<question>Which year?</question>",
        '<context>{"year":2024}</context>',
        "</input>",
        "<ideal_answer>2024</ideal_answer>",
        "</example>",
        "</examples>",
        "",
        'Next year? (context: {"year":2024})',
      ].join("\n"),
    );
  });

  it("leaves the messages alone without examples", () => {
    expect(assembleMessages({ ...sentiment, examples: [], counterexamples: [], exampleMode: "inline" }, input)).toEqual(
      assembleMessages({ ...sentiment, examples: [], counterexamples: [] }, input),
    );
  });
});

describe("assembleMessages validation", () => {
  it("rejects an example lacking a variable of the input message, naming both, before rendering anything", () => {
    let error: unknown;
    try {
      assembleMessages({ ...sentiment, examples: [{ variables: { text: "x" }, output: "y" }] }, input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details).toMatchObject([
      { path: "examples[0].variables", variable: "review", message: 'Missing variable "review" used by messages[1].content (line 1)' },
    ]);
  });

  it("rejects a missing input variable", () => {
    expect(() => assembleMessages(sentiment, { review: "x" })).toThrowError(/Missing variable "domain"/);
  });
});
