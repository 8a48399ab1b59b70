import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { convertPromptfoo, looksLikePromptfoo } from "../../../lib/promptfoo/convert.ts";
import { convertProvider } from "../../../lib/promptfoo/providers.ts";
import { readPositionedYaml } from "../../../lib/suite-file/parse.ts";
import { AppError } from "../../../lib/errors.ts";

// promptfoo configs read as Assay suite files: what maps, what is reported as left out, and what is refused.

let dir: string;
const convert = (yaml: string, environment: Record<string, string> = {}) =>
  convertPromptfoo(readPositionedYaml(yaml, "promptfooconfig.yaml"), "promptfooconfig.yaml", dir, environment);

function refusal(yaml: string): string {
  try {
    convert(yaml);
  } catch (error) {
    if (error instanceof AppError) return error.message;
    throw error;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "assay-promptfoo-"));
  await writeFile(path.join(dir, "two.txt"), "Translate to French: {{text}}\n---\nTranslate to German: {{ text }}\n");
  await writeFile(path.join(dir, "chat.json"), JSON.stringify([{ role: "system", content: "Be brief." }, { role: "user", content: "{{question}}" }]));
  await writeFile(path.join(dir, "tests.csv"), "text,__expected,__description\nhello,contains: Echo,first\nbye,icontains: BYE,second\nzzz,javascript: output.length > 1,third\n");
});

describe("recognizing a promptfoo config", () => {
  it("tells a promptfoo config from an Assay suite file", () => {
    expect(looksLikePromptfoo({ prompts: ["x"], providers: ["openai:gpt-4.1-mini"], tests: [] })).toBe(true);
    expect(looksLikePromptfoo({ prompts: ["x"], tests: [{ vars: {} }] })).toBe(true);
    expect(looksLikePromptfoo({ name: "s", prompts: ["p@1"], targets: [], cases: [] })).toBe(false);
  });
});

describe("providers", () => {
  it("maps openai:chat:<model> and openai:<model> with promptfoo's defaults and the config's options", () => {
    expect(convertProvider({ id: "openai:chat:gpt-4o-mini", config: { temperature: 0.2, max_tokens: 64, stop: "END" } }, {})).toEqual({
      target: { label: "openai:chat:gpt-4o-mini", baseURL: "https://api.openai.com/v1", apiKeyEnv: "OPENAI_API_KEY", model: "gpt-4o-mini", params: { temperature: 0.2, maxTokens: 64, stop: ["END"] } },
      keyEnv: "OPENAI_API_KEY",
      notes: [],
    });
    const own = convertProvider({ id: "openai:my-model", label: "mine", config: { apiBaseUrl: "http://127.0.0.1:9999/v1/", apiKey: "sk-literal", top_p: 0.9, frequency_penalty: 1 } }, {});
    expect(own).toEqual({
      target: { label: "mine", baseURL: "http://127.0.0.1:9999/v1", model: "my-model", params: { topP: 0.9 } },
      literalKey: "sk-literal",
      keyEnv: "OPENAI_API_KEY",
      notes: ["config.frequency_penalty is not an option Assay passes on; it is ignored"],
    });
    expect(convertProvider({ id: "groq:llama-3.1-8b-instant" }, {}).target).toMatchObject({ baseURL: "https://api.groq.com/openai/v1", apiKeyEnv: "GROQ_API_KEY", model: "llama-3.1-8b-instant" });
    expect(convertProvider({ id: "openai:chat:x" }, { OPENAI_BASE_URL: "http://proxy.local/v1" }).target.baseURL).toBe("http://proxy.local/v1");
  });

  it("refuses a provider that does not speak OpenAI's chat API, by name", () => {
    expect(() => convertProvider({ id: "anthropic:messages:claude-3-5-haiku" }, {})).toThrow(/provider "anthropic:messages:claude-3-5-haiku" is not supported/);
    expect(() => convertProvider({ id: "openai:completion:davinci-002" }, {})).toThrow(/chat completions API/);
  });
});

describe("converting a config", () => {
  it("reads prompts from text and chat files, CSV tests with __expected, defaultTest, and expands array vars", () => {
    const converted = convert(`
description: Translations
prompts:
  - file://two.txt
  - file://chat.json
  - "Answer: {{text}}"
providers:
  - id: openai:chat:fake-echo
    config: { apiBaseUrl: "http://127.0.0.1:1/v1" }
defaultTest:
  vars: { question: "why?" }
  assert:
    - type: starts-with
      value: Echo
tests:
  - file://tests.csv
  - description: two languages
    vars: { text: [un, deux] }
    assert:
      - type: equals
        value: { a: 1 }
      - type: not-icontains-any
        value: [foo, "b.r"]
      - type: similar
        value: hello
        threshold: 0.8
`);
    const config = converted.parsed.config;
    expect(config.name).toBe("Translations");
    expect(config.prompts).toEqual([
      { label: "two.txt #1", messages: [{ role: "user", content: "Translate to French: {{text}}" }], examples: [], counterexamples: [], exampleMode: "chat" },
      { label: "two.txt #2", messages: [{ role: "user", content: "Translate to German: {{ text }}" }], examples: [], counterexamples: [], exampleMode: "chat" },
      { label: "chat.json", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "{{question}}" }], examples: [], counterexamples: [], exampleMode: "chat" },
      { label: "prompt 3", messages: [{ role: "user", content: "Answer: {{text}}" }], examples: [], counterexamples: [], exampleMode: "chat" },
    ]);
    expect(config.targets).toEqual([{ label: "openai:chat:fake-echo", baseURL: "http://127.0.0.1:1/v1", model: "fake-echo", params: {} }]);
    expect(config.assertions).toEqual([{ type: "starts-with", value: "Echo", weight: 1 }]);
    const cases = config.cases as { key: string; variables: Record<string, unknown>; assertions: { type: string }[] }[];
    expect(cases.map((entry) => entry.key)).toEqual(["first", "second", "third", "two languages #1", "two languages #2"]);
    expect(cases.map((entry) => entry.variables)).toEqual([
      { question: "why?", text: "hello" },
      { question: "why?", text: "bye" },
      { question: "why?", text: "zzz" },
      { question: "why?", text: "un" },
      { question: "why?", text: "deux" },
    ]);
    expect(cases[0]!.assertions).toEqual([{ type: "contains", value: "Echo" }]);
    expect(cases[2]!.assertions).toEqual([]);
    expect(cases[3]!.assertions).toEqual([
      { type: "json-path", path: "$", value: { a: 1 } },
      { type: "not-regex", value: "foo|b\\.r", flags: "i" },
    ]);
    expect(converted.notices.map((notice) => [notice.where, notice.line, notice.skipped, notice.message])).toEqual([
      ["tests.csv row 4: assert[0]", 16, true, "javascript: skipped, Assay cannot run it: it runs JavaScript from the config, which Assay does not execute"],
      ["tests[1].assert[2]", 24, true, "similar: skipped, Assay cannot run it: it needs an embedding model (Assay's similarity assertion is lexical, not the same measure)"],
    ]);
    expect(converted.keys).toEqual({});
  });

  it("reads the other forms: prompt objects and the mapping form, YAML chats, test files, file:// vars, env, evaluateOptions", async () => {
    await writeFile(path.join(dir, "chat.yaml"), "- role: system\n  content: You are terse.\n- role: user\n  content: 'Q: {{q}}'\n");
    await writeFile(path.join(dir, "tests.yaml"), "- description: from yaml\n  vars: { q: one }\n  assert:\n    - type: levenshtein\n      value: 'Echo: Q: one'\n      threshold: 2\n");
    await writeFile(path.join(dir, "tests.json"), JSON.stringify([{ vars: { q: "two" }, assert: [{ type: "latency", threshold: 500 }, { type: "cost", threshold: 0.01 }] }]));
    await writeFile(path.join(dir, "question.txt"), "a long question");
    const converted = convert(`
prompts:
  - id: file://chat.yaml
    label: yaml chat
  - raw: "Plain {{q}}"
  - '[{"role": "user", "content": "JSON chat {{q}}"}]'
providers:
  - id: groq:llama-3.1-8b-instant
    config: { apiKeyEnvar: MY_GROQ_KEY, max_completion_tokens: 32 }
  - id: openai:chat:m
    config: { apiHost: "llm.internal", response_format: { type: json_schema, json_schema: { name: answer, schema: { type: object } } } }
env:
  SOME_FLAG: "1"
evaluateOptions: { maxConcurrency: 7, repeat: 2, delay: 100 }
tests:
  - file://tests.yaml
  - file://tests.json
  - vars: { q: file://question.txt }
    assert:
      - type: assert-set
        assert:
          - { type: contains-json, weight: 2 }
          - { type: is-json, value: { type: object, required: [a] } }
      - { type: not-icontains-all, value: [x, y] }
      - { type: icontains-all, value: "x, y", weight: 3 }
`);
    const config = converted.parsed.config;
    expect((config.prompts as { label: string; messages: unknown }[]).map((prompt) => [prompt.label, prompt.messages])).toEqual([
      ["yaml chat", [{ role: "system", content: "You are terse." }, { role: "user", content: "Q: {{q}}" }]],
      ["prompt 2", [{ role: "user", content: "Plain {{q}}" }]],
      ["prompt 3", [{ role: "user", content: "JSON chat {{q}}" }]],
    ]);
    expect(config.targets).toEqual([
      { label: "groq:llama-3.1-8b-instant", baseURL: "https://api.groq.com/openai/v1", apiKeyEnv: "MY_GROQ_KEY", model: "llama-3.1-8b-instant", params: { maxTokens: 32 } },
      { label: "openai:chat:m", baseURL: "https://llm.internal/v1", apiKeyEnv: "OPENAI_API_KEY", model: "m", params: { responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" } } } },
    ]);
    expect([config.concurrency, config.repeats]).toEqual([7, 2]);
    expect(converted.env).toEqual({ SOME_FLAG: "1" });
    const cases = config.cases as { key: string; variables: Record<string, unknown>; assertions: unknown[] }[];
    expect(cases.map((entry) => [entry.key, entry.variables, entry.assertions])).toEqual([
      ["from yaml", { q: "one" }, [{ type: "levenshtein", value: "Echo: Q: one", threshold: 2 }]],
      ["test 2", { q: "two" }, [{ type: "latency", threshold: 500 }, { type: "cost", threshold: 0.01 }]],
      [
        "test 3",
        { q: "a long question" },
        [
          { type: "contains-json", weight: 2 },
          { type: "json-schema", value: { type: "object", required: ["a"] } },
          { type: "regex", value: "x", flags: "i", weight: 1.5 },
          { type: "regex", value: "y", flags: "i", weight: 1.5 },
        ],
      ],
    ]);
    expect(converted.notices.map((notice) => `${notice.where}: ${notice.message} (${notice.skipped ? "skipped" : "noted"})`)).toEqual([
      "tests[2].assert[1]: not-icontains-all: skipped, not-icontains-all has no Assay equivalent (skipped)",
      "evaluateOptions.delay: evaluateOptions.delay is ignored (noted)",
    ]);
  });

  it("keeps a key written in the config out of the converted file, in a variable of this process", () => {
    const converted = convert(`
prompts: ["Hi {{name}}"]
providers:
  - id: openai:chat:m
    config: { apiBaseUrl: "http://127.0.0.1:1/v1", apiKey: sk-secret-1 }
tests:
  - vars: { name: Ada }
`);
    expect(converted.keys).toEqual({ ASSAY_PROMPTFOO_KEY_0: "sk-secret-1" });
    expect(JSON.stringify(converted.parsed.raw)).not.toContain("sk-secret-1");
    expect(converted.parsed.config.targets[0]).toMatchObject({ apiKeyEnv: "ASSAY_PROMPTFOO_KEY_0" });
  });

  it("grades llm-rubric with defaultTest.options.provider", () => {
    const converted = convert(`
prompts: ["Hi {{name}}"]
providers: ["openai:chat:m"]
defaultTest:
  options:
    provider: { id: "openai:chat:grader", config: { apiBaseUrl: "http://127.0.0.1:2/v1" } }
tests:
  - vars: { name: Ada }
    assert:
      - type: llm-rubric
        value: is friendly
        threshold: 0.7
`);
    expect(converted.parsed.config.judge).toMatchObject({ baseURL: "http://127.0.0.1:2/v1", model: "grader" });
    expect((converted.parsed.config.cases as { assertions: unknown[] }[])[0]!.assertions).toEqual([{ type: "llm-rubric", value: "is friendly", threshold: 0.7 }]);
  });

  it("refuses what it cannot read, naming the line and the key", () => {
    expect(refusal(`prompts: ["x"]\nproviders: ["bedrock:claude"]\ntests: [{ vars: {} }]\n`)).toMatch(/^promptfooconfig\.yaml:2:\d+: providers\[0\]: provider "bedrock:claude" is not supported/);
    expect(refusal(`prompts: ["file://missing.txt"]\nproviders: ["openai:m"]\ntests: [{ vars: {} }]\n`)).toMatch(/promptfooconfig\.yaml:1:\d+: prompts\[0\]: cannot read "missing\.txt"/);
    expect(refusal(`prompts: ["x"]\nproviders: ["openai:m"]\ntests:\n  - vars: {}\n    assert:\n      - type: regex\n        value: "a(b"\n`)).toMatch(/promptfooconfig\.yaml:6:\d+: tests\[0\]\.assert\[0\]: regex: /);
  });
});
