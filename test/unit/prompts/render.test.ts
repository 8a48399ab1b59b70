import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/errors.ts";
import { detectVariables, renderPrompt, renderTemplate, validatePrompt } from "../../../lib/prompts/render.ts";

function thrown(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("detectVariables", () => {
  it("lists root variables in order of first use, once each, without loop locals or assigned names", () => {
    const template = "Hi {{ name }}\n{% for item in items %}{{ item.title }} {{ forloop.index }}{% endfor %}\n{% assign n = 2 %}{{ n }} {{ user.address.city }} {{ name }}";
    expect(detectVariables(template)).toEqual(["name", "items", "user"]);
  });

  it("finds variables in tags and filter arguments", () => {
    expect(detectVariables("{% if verbose %}{{ text | truncate: limit }}{% endif %}")).toEqual(["verbose", "text", "limit"]);
  });

  it("reports a syntax error as a bad_request template error", () => {
    const error = thrown(() => detectVariables("Hello {{ name"));
    expect(error.code).toBe("bad_request");
    expect(error.subject).toBe("template");
    expect(error.details[0]).toMatchObject({ line: 1, column: 7 });
  });
});

describe("renderTemplate", () => {
  it("renders variables and standard filters", () => {
    expect(renderTemplate("Translate to {{ language | upcase }}: {{ text }}", { language: "fr", text: "hello" })).toBe(
      "Translate to FR: hello",
    );
  });

  it("renders objects and arrays as JSON instead of [object Object]", () => {
    expect(renderTemplate("{{ record }} {{ tags }} {{ tags | join: '+' }}", { record: { id: 1 }, tags: ["a", "b"] })).toBe(
      '{"id":1} ["a","b"] a+b',
    );
  });

  it("treats an empty string as a value, not as missing", () => {
    expect(renderTemplate("[{{ context }}]", { context: "" })).toBe("[]");
  });

  it("leaves JSON braces and raw blocks alone", () => {
    expect(renderTemplate('Reply as {"label": "..."}{% raw %} {{ literal }}{% endraw %}', {})).toBe(
      'Reply as {"label": "..."} {{ literal }}',
    );
  });

  it("names a missing variable with its line and column", () => {
    const error = thrown(() => renderTemplate("Hello {{ name }},\nplease read {{ documnet }}.", { name: "Ann", document: "x" }, "messages[1].content"));
    expect(error.message).toContain('Missing variable "documnet"');
    expect(error.details).toEqual([
      {
        path: "messages[1].content",
        kind: "missing_variable",
        variable: "documnet",
        line: 2,
        column: 16,
        message: 'Missing variable "documnet" (line 2, column 16)',
      },
    ]);
  });

  it("names a missing nested property", () => {
    const error = thrown(() => renderTemplate("Dear {{ user.name }}", { user: { email: "a@b.c" } }));
    expect(error.details[0]).toMatchObject({ kind: "missing_variable", variable: "user.name", line: 1 });
  });

  it("names an unknown filter with its line, every one of them", () => {
    const error = thrown(() => renderTemplate("{{ text | upcas }}\n\n{{ text | shout }}", { text: "x" }));
    expect(error.details.map((detail) => [detail.message, detail.line])).toEqual([
      ['Unknown filter "upcas" (line 1, column 1)', 1],
      ['Unknown filter "shout" (line 3, column 1)', 3],
    ]);
  });

  it("reports an unclosed tag and an unknown tag as syntax problems", () => {
    expect(thrown(() => renderTemplate("a\n{% if x %}b", { x: true })).details[0]).toMatchObject({ kind: "syntax", line: 2 });
    expect(thrown(() => renderTemplate("{% shout %}", {})).details[0]).toMatchObject({ kind: "unknown_tag", line: 1 });
  });

  it("never reads files through include or render", () => {
    const error = thrown(() => renderTemplate("{% include '/etc/passwd' %}", {}));
    expect(error.code).toBe("bad_request");
    expect(JSON.stringify(error.details)).not.toContain("root:");
  });
});

describe("validatePrompt", () => {
  const messages = [
    { role: "system" as const, content: "You are a {{ tone } assistant." },
    { role: "user" as const, content: "Classify:\n{{ text }}\nin {{ language | upcase }}" },
  ];

  it("returns every problem at once with paths, and still lists the variables it could read", () => {
    const result = validatePrompt(
      {
        messages,
        examples: [{ variables: { text: "I love it", language: "en" }, output: "positive" }, { variables: { text: "meh" }, output: "neutral" }],
        counterexamples: [{ variables: { language: "en" }, output: "good", reason: "not a label" }],
      },
      { text: "hello" },
    );
    expect(result.variables).toEqual(["text", "language"]);
    expect(result.problems.map((problem) => [problem.path, problem.kind, problem.line])).toEqual([
      ["messages[0].content", "syntax", 1],
      ["examples[1].variables", "missing_variable", 3],
      ["counterexamples[0].variables", "missing_variable", 2],
      ["messages[1].content", "missing_variable", 3],
    ]);
    expect(result.problems[1]?.message).toBe('Missing variable "language" used by messages[1].content (line 3)');
  });

  it("requires a user message", () => {
    const result = validatePrompt({ messages: [{ role: "system", content: "hi" }] });
    expect(result.problems).toEqual([{ path: "messages", kind: "syntax", message: "A prompt needs at least one user message" }]);
  });

  it("reports nothing for a correct prompt", () => {
    expect(validatePrompt({ messages: [{ role: "user", content: "{{ a }}" }] }, { a: "1" })).toEqual({ variables: ["a"], problems: [] });
  });
});

describe("renderPrompt", () => {
  it("renders each message and throws before rendering when a variable is missing", () => {
    const messages = [
      { role: "system" as const, content: "Answer in {{ language }}." },
      { role: "user" as const, content: "{{ question }}" },
    ];
    expect(renderPrompt(messages, { language: "French", question: "Why?" })).toEqual([
      { role: "system", content: "Answer in French." },
      { role: "user", content: "Why?" },
    ]);
    const error = thrown(() => renderPrompt(messages, { question: "Why?" }));
    expect(error.details).toMatchObject([{ path: "messages[0].content", variable: "language", line: 1, column: 14 }]);
  });
});
