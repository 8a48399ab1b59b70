export type Role = "system" | "user" | "assistant";
export interface Message {
  role: Role;
  content: string;
}
export interface Example {
  variables: Record<string, string>;
  output: string;
}
export interface Counterexample extends Example {
  reason: string;
}
/** A named variable set kept with the version; the playground opens with the first one filled in. */
export interface TestInput {
  name: string;
  variables: Record<string, string>;
}
export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: Record<string, unknown>; strict?: boolean };
export interface Params {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  responseFormat?: ResponseFormat;
}
export interface Draft {
  messages: Message[];
  examples: Example[];
  counterexamples: Counterexample[];
  testInputs: TestInput[];
  exampleMode: "chat" | "inline";
  connectionId: string | null;
  model: string | null;
  params: Params;
}
export interface VersionSummary {
  id: string;
  number: number;
  commitMessage: string;
  createdAt: string;
  author: { name: string; email: string } | null;
  labels: string[];
}
export interface VersionFull extends VersionSummary, Draft {}

export interface ModelOption {
  name: string;
  contextWindow: number | null;
  inputPricePerM: number | null;
  outputPricePerM: number | null;
}
export interface ConnectionOption {
  id: string;
  name: string;
  kind: "openai_compatible" | "local";
  models: ModelOption[];
}
export interface Target {
  key: string;
  connectionId: string;
  model: string;
  temperature?: number;
  maxTokens?: number;
}

export interface ProviderErrorView {
  kind: string;
  status?: number;
  code?: string;
  type?: string;
  message: string;
}
export interface CallView {
  id: string;
  groupId: string;
  versionId: string | null;
  versionNumber: number | null;
  connectionName: string;
  model: string;
  variables: Record<string, string>;
  messages: Message[];
  params: Params;
  output: string;
  finishReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  usageEstimated: boolean;
  cost: number | null;
  ttftMs: number | null;
  latencyMs: number | null;
  tokensPerSecond: number | null;
  error: ProviderErrorView | null;
  userName: string | null;
  createdAt: string;
}

export interface PreviewResult {
  messages: Message[];
  variables: string[];
  problems: { path?: string; line?: number; column?: number; message: string }[];
  tokens: { count: number; estimated: boolean; encoding: string } | null;
  contextWindow: number | null;
  contextShare: number | null;
  inputCost: number | null;
}

export const emptyDraft = (): Draft => ({
  messages: [
    { role: "system", content: "" },
    { role: "user", content: "{{ input }}" },
  ],
  examples: [],
  counterexamples: [],
  testInputs: [],
  exampleMode: "chat",
  connectionId: null,
  model: null,
  params: { temperature: 0.7, maxTokens: 512 },
});
