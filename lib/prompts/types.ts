// Plain shapes shared by rendering, assembly, diffing and storage. The zod schemas in schema.ts validate input into
// these shapes; everything else in lib/prompts accepts them so drafts (unsaved) and versions (stored) go through the
// same code.

export type ChatRole = "system" | "user" | "assistant";

/** A message as sent to the model, after rendering. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** A message as stored in a version: `content` is a Liquid template with `{{ variables }}`. */
export interface MessageTemplate {
  role: ChatRole;
  content: string;
}

/** JSON-compatible values a variable can hold: text from the editor, or structured data from a suite's case. */
export type VariableValue = string | number | boolean | null | VariableValue[] | { [key: string]: VariableValue };

export type TemplateVariables = Record<string, VariableValue>;

/** Variable values and the ideal answer to them. */
export interface Example {
  variables: TemplateVariables;
  output: string;
}

/** Variable values, a wrong answer to them, and one line on why it is wrong. */
export interface Counterexample {
  variables: TemplateVariables;
  output: string;
  reason: string;
}

export type ExampleMode = "chat" | "inline";

/** The part of a version (or an unsaved draft) that decides which messages are sent. */
export interface PromptContent {
  messages: MessageTemplate[];
  examples: Example[];
  counterexamples: Counterexample[];
  exampleMode: ExampleMode;
}
