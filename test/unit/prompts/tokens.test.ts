import { describe, expect, it } from "vitest";
import { countChatTokens, countTokens, encodingForModel } from "../../../lib/prompts/tokens.ts";

// The message list from OpenAI's cookbook "How to count tokens with tiktoken"; the cookbook reports 129 prompt tokens
// for gpt-3.5-turbo / gpt-4 and 124 for gpt-4o / gpt-4o-mini, matching the API's usage.prompt_tokens.
const cookbookMessages = [
  {
    role: "system",
    content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
  },
  { role: "system", name: "example_user", content: "New synergies will help drive top-line growth." },
  { role: "system", name: "example_assistant", content: "Things working well together will increase revenue." },
  {
    role: "system",
    name: "example_user",
    content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: "system",
    name: "example_assistant",
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: "user",
    content: "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];

describe("encodingForModel", () => {
  it.each([
    ["gpt-4o", "o200k_base"],
    ["gpt-4o-mini-2024-07-18", "o200k_base"],
    ["chatgpt-4o-latest", "o200k_base"],
    ["gpt-4.1-nano", "o200k_base"],
    ["gpt-4.5-preview", "o200k_base"],
    ["gpt-5", "o200k_base"],
    ["gpt-5-mini", "o200k_base"],
    ["o1", "o200k_base"],
    ["o3-mini", "o200k_base"],
    ["o4-mini", "o200k_base"],
    ["GPT-4o", "o200k_base"],
    ["openai/gpt-4o", "o200k_base"],
    ["ft:gpt-4o-mini-2024-07-18:acme::9abc", "o200k_base"],
    ["gpt-4", "cl100k_base"],
    ["gpt-4-turbo", "cl100k_base"],
    ["gpt-4-0613", "cl100k_base"],
    ["gpt-3.5-turbo", "cl100k_base"],
    ["gpt-35-turbo", "cl100k_base"],
    ["text-embedding-3-small", "cl100k_base"],
  ] as const)("%s uses %s exactly", (model, encoding) => {
    expect(encodingForModel(model)).toEqual({ encoding, estimated: false });
  });

  it.each([
    "llama-3.1-8b-instant",
    "qwen2.5:7b",
    "mistral-large-latest",
    "claude-3-5-sonnet-20241022",
    "gemini-2.0-flash",
    "tinyllama-1.1b-chat.Q4_K_M.gguf",
    "ollama",
    "omni-moderation-latest",
  ])("%s is an estimate with cl100k_base", (model) => {
    expect(encodingForModel(model)).toEqual({ encoding: "cl100k_base", estimated: true });
  });
});

describe("countTokens", () => {
  it("counts known strings like tiktoken", () => {
    expect(countTokens("hello world", "gpt-4o")).toEqual({ tokens: 2, estimated: false, encoding: "o200k_base" });
    expect(countTokens("hello world", "gpt-4")).toEqual({ tokens: 2, estimated: false, encoding: "cl100k_base" });
    // cookbook: "tiktoken is great!" -> [83, 1609, 5963, 374, 2294, 0] in cl100k_base
    expect(countTokens("tiktoken is great!", "gpt-3.5-turbo").tokens).toBe(6);
    expect(countTokens("2 + 2 = 4", "gpt-4").tokens).toBe(7);
    expect(countTokens("antidisestablishmentarianism", "gpt-4").tokens).toBe(6);
  });

  it("distinguishes the two encodings where they differ", () => {
    // cookbook comparison: 9 tokens in cl100k_base, 8 in o200k_base
    expect(countTokens("お誕生日おめでとう", "gpt-4").tokens).toBe(9);
    expect(countTokens("お誕生日おめでとう", "gpt-4o").tokens).toBe(8);
  });

  it("marks counts for non-OpenAI models as estimated", () => {
    expect(countTokens("hello world", "llama3.2:1b")).toEqual({ tokens: 2, estimated: true, encoding: "cl100k_base" });
  });

  it("counts an empty string as zero and special-token text as plain text", () => {
    expect(countTokens("", "gpt-4o").tokens).toBe(0);
    const special = countTokens("<|endoftext|>", "gpt-4o");
    expect(special.tokens).toBeGreaterThan(1);
  });
});

describe("countChatTokens", () => {
  it("matches the cookbook's counts for its example conversation", () => {
    expect(countChatTokens(cookbookMessages, "gpt-3.5-turbo").tokens).toBe(129);
    expect(countChatTokens(cookbookMessages, "gpt-4-0613").tokens).toBe(129);
    expect(countChatTokens(cookbookMessages, "gpt-4o").tokens).toBe(124);
    expect(countChatTokens(cookbookMessages, "gpt-4o-mini").tokens).toBe(124);
  });

  it("adds 3 per message plus role plus 3 for the reply", () => {
    // "hello world" = 2, "user" = 1: 3 + 1 + 2 + 3
    expect(countChatTokens([{ role: "user", content: "hello world" }], "gpt-4o")).toEqual({
      tokens: 9,
      estimated: false,
      encoding: "o200k_base",
    });
    expect(countChatTokens([], "gpt-4o").tokens).toBe(3);
  });

  it("carries the estimate flag for other models", () => {
    expect(countChatTokens([{ role: "user", content: "hi" }], "mistral-small").estimated).toBe(true);
  });
});
