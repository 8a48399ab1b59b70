export interface ModelRow {
  name: string;
  contextWindow: number | null;
  inputPricePerM: number | null;
  outputPricePerM: number | null;
}

export interface ConnectionView {
  id: string;
  name: string;
  kind: "openai_compatible" | "local";
  preset: string | null;
  baseUrl: string;
  hasKey: boolean;
  apiKeyLast4: string | null;
  concurrency: number;
  rpm: number | null;
  tpm: number | null;
  timeoutMs: number;
  models: ModelRow[];
}

export interface PresetView {
  id: string;
  name: string;
  baseUrl: string;
  kind: "openai_compatible" | "local";
  needsKey: boolean;
  docsUrl?: string;
  models: ModelRow[];
}

export type TestOutcome =
  | { ok: true; models: string[]; latencyMs: number }
  | { ok: false; kind: string; status?: number; message: string };
