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
  /** the only origin the stored key is sent to; null when there is no key */
  apiKeyOrigin: string | null;
  concurrency: number;
  rpm: number | null;
  tpm: number | null;
  timeoutMs: number;
  models: ModelRow[];
}

/** What PATCH answers: the connection, and what the user must be told (e.g. the key was removed). */
export interface SavedConnection extends ConnectionView {
  keyCleared?: boolean;
  notices?: string[];
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
