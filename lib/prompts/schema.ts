import { z } from "zod";
import { cappedArray, cappedString, limits } from "../limits.ts";
import { formatCount } from "../format.ts";

// Shared by route handlers, the CLI and forms. The inferred types are the stored shapes of a version's JSON columns.

export const chatRole = z.enum(["system", "user", "assistant"]);

export const messageTemplate = z.object({
  role: chatRole,
  /** a Liquid template with {{ variables }} */
  content: cappedString(limits.messageCharacters),
});

// Names a template can reference as {{ name }}: Liquid identifiers.
const variableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "A variable name starts with a letter or _ and holds letters, digits, - and _");

/** A variable's value: text, or JSON whose text form fits the same cap. */
const variableValue = z.json().superRefine((value, context) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text.length > limits.variableCharacters) {
    context.addIssue({ code: "custom", message: `at most ${formatCount(limits.variableCharacters)} characters` });
  }
});

/** Text from the editor, or structured JSON from a suite's case (rendered as JSON when output whole). */
export const templateVariables = z
  .record(variableName, variableValue)
  .refine((variables) => Object.keys(variables).length <= limits.variables, `at most ${formatCount(limits.variables)} variables`);

export const example = z.object({
  variables: templateVariables,
  output: cappedString(limits.exampleOutputCharacters),
});

export const counterexample = z.object({
  variables: templateVariables,
  output: cappedString(limits.exampleOutputCharacters),
  reason: z
    .string()
    .trim()
    .min(1, "Say in one line why this output is wrong")
    .max(300, "Keep the reason to one line (300 characters)")
    .refine((reason) => !/[\r\n]/.test(reason), "Keep the reason to one line"),
});

/** A named set of variable values kept with a version: the playground opens with the first one filled in. */
export const testInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the test input a name")
    .max(limits.testInputNameCharacters, `at most ${formatCount(limits.testInputNameCharacters)} characters`),
  variables: templateVariables,
});

/** Test inputs of one version: names are unique, so the picker and the API can address one by name. */
export const testInputs = cappedArray(testInput, limits.testInputs, "test inputs").superRefine((inputs, context) => {
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    if (seen.has(input.name)) {
      context.addIssue({ code: "custom", path: [index, "name"], message: `Another test input is already named "${input.name}"` });
    }
    seen.add(input.name);
  });
});

export const exampleMode = z.enum(["chat", "inline"]);

export const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    // OpenAI's rule for response_format.json_schema.name
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "Schema name: 1–64 letters, digits, - or _"),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().optional(),
  }),
]);

/** Default call parameters; absent means "the provider's default". */
export const modelParams = z.object({
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.int().positive().max(1_000_000).optional(),
  topP: z.number().min(0).max(1).optional(),
  stop: z.array(z.string().min(1)).max(4, "At most 4 stop sequences").optional(),
  seed: z.int().optional(),
  responseFormat: responseFormat.optional(),
});

export const promptVersionInput = z.object({
  messages: cappedArray(messageTemplate, limits.messages, "messages")
    .min(1, "A prompt needs at least one message")
    .refine((messages) => messages.some((message) => message.role === "user"), "A prompt needs at least one user message"),
  examples: cappedArray(example, limits.examples, "examples").default([]),
  counterexamples: cappedArray(counterexample, limits.examples, "counterexamples").default([]),
  testInputs: testInputs.default([]),
  exampleMode: exampleMode.default("chat"),
  connectionId: z.string().min(1).nullish(),
  model: z.string().min(1).max(200).nullish(),
  params: modelParams.default({}),
  commitMessage: z
    .string()
    .trim()
    .max(limits.commitMessageCharacters, `at most ${formatCount(limits.commitMessageCharacters)} characters`)
    .default(""),
});

// "@" separates a prompt from a version or label in references ("summarize@production"), so names cannot hold it.
export const promptName = z
  .string()
  .trim()
  .min(1, "Give the prompt a name")
  .max(100, "A prompt name has at most 100 characters")
  .refine((name) => !name.includes("@"), 'A prompt name cannot contain "@"')
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), "A prompt name is one line of text");

export const createPromptInput = z.object({
  name: promptName,
  description: z.string().trim().max(2000).default(""),
  /** the first version; a minimal zero-shot template when absent */
  version: promptVersionInput.optional(),
});

export const updatePromptInput = z.object({
  name: promptName.optional(),
  description: z.string().trim().max(2000).optional(),
});

/** "latest" always means the newest version in references, so it cannot be a label. */
export const RESERVED_LABEL = "latest";

export const labelName = z
  .string()
  .min(1, "Give the label a name")
  .max(50)
  .regex(/^[a-z0-9_-]+$/, "A label holds lowercase letters, digits, - and _")
  .refine((name) => name !== RESERVED_LABEL, `"${RESERVED_LABEL}" always means the newest version`);

export const moveLabelInput = z.object({
  name: labelName,
  versionId: z.string().min(1),
});

export type ChatRoleName = z.infer<typeof chatRole>;
export type MessageTemplateInput = z.infer<typeof messageTemplate>;
export type ExampleInput = z.infer<typeof example>;
export type CounterexampleInput = z.infer<typeof counterexample>;
export type TestInput = z.infer<typeof testInput>;
export type ResponseFormat = z.infer<typeof responseFormat>;
export type ModelParams = z.infer<typeof modelParams>;
/** after parsing (defaults applied) */
export type PromptVersionInput = z.infer<typeof promptVersionInput>;
/** what a client may send (defaults optional) */
export type PromptVersionInputRaw = z.input<typeof promptVersionInput>;
export type CreatePromptInput = z.infer<typeof createPromptInput>;
export type CreatePromptInputRaw = z.input<typeof createPromptInput>;
export type UpdatePromptInput = z.infer<typeof updatePromptInput>;
export type MoveLabelInput = z.infer<typeof moveLabelInput>;
