import { assertValidPrompt, detectVariables, formatVariableValue, inputMessageIndex, renderTemplate } from "./render.ts";
import type { ChatMessage, Counterexample, Example, PromptContent, TemplateVariables } from "./types.ts";

// How a version becomes the exact list of messages sent to a model.
//
// A version's messages are templates: an optional system message, optional fixed turns, and the *input message* —
// the last user message — which carries the variables that change per call. Examples and counterexamples are
// variable values (plus the ideal or a wrong answer); they are shown to the model in one of two ways:
//
// "chat" (the default) — few-shot as conversation:
//   [system + counterexamples section] [fixed turns…] [user: input(example 1)] [assistant: ideal 1] … [user: input(real)]
//   Each example becomes a user turn rendered from the input message's template with the example's variables,
//   followed by an assistant turn with its ideal output, placed right before the real input. Counterexamples cannot be
//   turns (the model would imitate them), so they go into the system message under "Do not answer like this", each
//   as the user message it answers, the wrong answer and why it is wrong. Without a system message, one is created.
//
// "inline" — everything in the input message, for models or APIs that handle multi-turn few-shot poorly:
//   <examples>…</examples>, then <counterexamples>…</counterexamples>, then the rendered input message. Example inputs
//   are shown as their variables (`<text>…</text>`), since repeating the whole instruction template per example
//   would bury the examples in boilerplate.
//
// Output is a pure function of (version, variables): the same version and inputs always give the same messages, so
// results can be cached and versions compared fairly. Values are not escaped: a value containing "</example>" is
// shown as is.

function block(tag: string, value: string, attributes = ""): string {
  const open = `<${tag}${attributes}>`;
  return value.includes("\n") ? `${open}\n${value}\n</${tag}>` : `${open}${value}</${tag}>`;
}

/** The variables an example shows inline: the ones the input template uses, in its order; else all it has. */
function shownVariables(shot: Example, inputVariables: readonly string[]): [string, string][] {
  const names = inputVariables.length > 0 ? inputVariables.filter((name) => Object.hasOwn(shot.variables, name)) : Object.keys(shot.variables);
  return names.map((name) => [name, formatVariableValue(shot.variables[name] ?? null)]);
}

function inlineInput(shot: Example, inputVariables: readonly string[]): string {
  const fields = shownVariables(shot, inputVariables).map(([name, value]) => block(name, value));
  return `<input>\n${fields.join("\n")}\n</input>`;
}

function inlineExamples(examples: readonly Example[], inputVariables: readonly string[]): string {
  const items = examples.map((example, index) =>
    [`<example number="${index + 1}">`, inlineInput(example, inputVariables), block("ideal_answer", example.output), "</example>"].join("\n"),
  );
  return ["<examples>", "Examples of inputs and the ideal answer to each:", "", items.join("\n\n"), "</examples>"].join("\n");
}

function inlineCounterexamples(counterexamples: readonly Counterexample[], inputVariables: readonly string[]): string {
  const items = counterexamples.map((counterexample, index) =>
    [
      `<counterexample number="${index + 1}">`,
      inlineInput(counterexample, inputVariables),
      block("wrong_answer", counterexample.output),
      block("why_wrong", counterexample.reason),
      "</counterexample>",
    ].join("\n"),
  );
  return [
    "<counterexamples>",
    "Do not answer like this. Each shows an input, a wrong answer and why it is wrong:",
    "",
    items.join("\n\n"),
    "</counterexamples>",
  ].join("\n");
}

function counterexampleSection(counterexamples: readonly Counterexample[], renderInput: (shot: Counterexample) => string): string {
  const items = counterexamples.map((counterexample, index) =>
    [
      `<counterexample number="${index + 1}">`,
      block("user_message", renderInput(counterexample)),
      block("wrong_answer", counterexample.output),
      block("why_wrong", counterexample.reason),
      "</counterexample>",
    ].join("\n"),
  );
  return [
    "## Do not answer like this",
    "",
    "Each counterexample below shows a user message, a wrong answer to it and why it is wrong. Never answer in these ways.",
    "",
    items.join("\n\n"),
  ].join("\n");
}

/**
 * The exact messages to send for `version` with the input `variables`.
 * Throws AppError("bad_request", "template") with every template problem (syntax, unknown filter, missing variable in
 * the input or in an example) before anything is rendered.
 */
export function assembleMessages(version: PromptContent, variables: TemplateVariables): ChatMessage[] {
  assertValidPrompt(version, variables);
  return assembler(version)(variables);
}

/**
 * assembleMessages for one version and many inputs (the gateway): the templates and examples are checked once here,
 * and what does not depend on the variables (example turns, counterexample sections) is rendered once. The returned
 * function throws AppError("bad_request", "template") for the first message that misses a variable.
 */
export function prepareAssembly(version: PromptContent): (variables: TemplateVariables) => ChatMessage[] {
  assertValidPrompt(version);
  return assembler(version);
}

function assembler(version: PromptContent): (variables: TemplateVariables) => ChatMessage[] {
  const inputIndex = inputMessageIndex(version.messages);
  const inputTemplate = version.messages[inputIndex]?.content ?? "";
  const inputPath = `messages[${inputIndex}].content`;
  const render = (variables: TemplateVariables): ChatMessage[] =>
    version.messages.map((message, index) => ({
      role: message.role,
      content: renderTemplate(message.content, variables, `messages[${index}].content`),
    }));
  const { examples, counterexamples } = version;

  if (version.exampleMode === "inline") {
    if (examples.length === 0 && counterexamples.length === 0) return render;
    // Detected again rather than passed in: assertValidPrompt lists the variables of all messages, not the input's.
    const inputVariables = detectVariables(inputTemplate, inputPath);
    const sections = [
      ...(examples.length > 0 ? [inlineExamples(examples, inputVariables)] : []),
      ...(counterexamples.length > 0 ? [inlineCounterexamples(counterexamples, inputVariables)] : []),
    ];
    return (variables) =>
      render(variables).map((message, index) =>
        index === inputIndex ? { role: message.role, content: `${sections.join("\n\n")}\n\n${message.content}` } : message,
      );
  }

  const renderInput = (shot: Example) => renderTemplate(inputTemplate, shot.variables, inputPath);
  const exampleTurns: ChatMessage[] = examples.flatMap((example) => [
    { role: "user" as const, content: renderInput(example) },
    { role: "assistant" as const, content: example.output },
  ]);
  const section = counterexamples.length === 0 ? null : counterexampleSection(counterexamples, renderInput);
  return (variables) => {
    const rendered = render(variables);
    const assembled = [...rendered.slice(0, inputIndex), ...exampleTurns, ...rendered.slice(inputIndex)];
    if (section === null) return assembled;
    const first = assembled[0];
    if (first?.role === "system") {
      return [{ role: "system", content: first.content === "" ? section : `${first.content}\n\n${section}` }, ...assembled.slice(1)];
    }
    return [{ role: "system", content: section }, ...assembled];
  };
}
