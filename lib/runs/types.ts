// The shapes the run engine, its HTTP API, the CLI and the UI share. Inputs are validated by the zod schemas in
// schema.ts, which infer to these same shapes.

import type { AssertionOutcome } from "../assertions/types.ts";
import type { ChatParams } from "../llm/types.ts";
import type { PromptContent } from "../prompts/types.ts";

export type { ChatParams } from "../llm/types.ts";
export type { PromptContent } from "../prompts/types.ts";

/** A model reached without a stored connection (suite files): the key is read from `apiKeyEnv` on the worker. */
export interface InlineTarget {
  baseURL: string;
  /** name of the environment variable holding the API key; absent for servers that need none */
  apiKeyEnv?: string;
  /** USD per million tokens, for the cost column (unknown when absent) */
  inputPricePerM?: number;
  outputPricePerM?: number;
}

/**
 * One column of the matrix: what is sent (a stored version, or a draft/inline prompt snapshotted into the run) and
 * where (a stored connection, or an inline target), with which model and parameters.
 */
export interface VariantSpec {
  label?: string;
  /** a stored prompt version; its content is copied into the run so later edits cannot change what ran */
  versionId?: string;
  /** a draft or inline prompt; wins over `versionId`'s content when both are given (the version stays as lineage) */
  prompt?: PromptContent;
  connectionId?: string;
  target?: InlineTarget;
  model: string;
  params?: ChatParams;
}

/** The judge model for llm-rubric assertions. */
export interface JudgeSpec {
  connectionId?: string;
  target?: InlineTarget;
  model: string;
  params?: ChatParams;
}

export interface CreateRunInput {
  suiteId: string;
  name?: string;
  variants: VariantSpec[];
  /** calls per (variant, case); default 1 */
  repeats?: number;
  /** calls in flight at once for this run, per worker process; default 10 */
  concurrency?: number;
  /** reuse answers to identical requests; default false (latency runs must not use it) */
  cache?: boolean;
  /** per call: the longest wait for the first byte and then for each next chunk; default the connection's */
  timeoutMs?: number;
  /** retries after a failed call (429, 5xx, timeout, cut stream, network); default 3 */
  maxRetries?: number;
  judge?: JudgeSpec;
  /** only these cases (default: every case of the suite at creation) */
  caseIds?: string[];
  /** only cases with at least one of these tags */
  tags?: string[];
}

export type RunStatus = "queued" | "running" | "completed" | "cancelled" | "failed";

export interface RunProgress {
  runId: string;
  status: RunStatus;
  /** cells: variants × cases × repeats */
  total: number;
  /** cells with a stored result (errors included) */
  done: number;
  /** cells whose result is an error after its retries */
  errors: number;
  /** retries spent over all results */
  retries: number;
  /** results answered from the response cache */
  cached: number;
  elapsedMs: number;
  /** null until there is a rate to extrapolate from, and once the run has ended */
  etaMs: number | null;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

/** Per-variant figures over its stored results. Cached results are left out of every latency figure. */
export interface VariantSummary {
  total: number;
  done: number;
  passed: number;
  /** evaluated and failed (errors not counted) */
  failed: number;
  errors: number;
  /** passed / done, errors counting as failures; null when nothing is done */
  passRate: number | null;
  meanScore: number | null;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
  inputTokens: number;
  outputTokens: number;
  /** USD spent by this run's calls (cached answers cost nothing now); null when a price is unknown */
  totalCost: number | null;
  cached: number;
  retries: number;
}

export interface VariantRecord {
  id: string;
  position: number;
  label: string;
  versionId: string | null;
  /** "summarize" and 3 when the variant came from a stored version */
  promptName: string | null;
  versionNumber: number | null;
  prompt: PromptContent;
  connectionId: string | null;
  connectionName: string | null;
  target: InlineTarget | null;
  model: string;
  params: ChatParams;
  summary: VariantSummary;
}

export interface RunSummaryRecord {
  id: string;
  name: string;
  status: RunStatus;
  suiteId: string | null;
  suiteName: string | null;
  totalCells: number;
  repeats: number;
  concurrency: number;
  cache: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  variantLabels: string[];
  progress: RunProgress;
}

export interface RunDetail extends RunSummaryRecord {
  /** the configuration as submitted (CreateRunInput after defaults, or the suite file) */
  config: StoredRunConfig;
  variants: VariantRecord[];
}

/** What Run.config holds. */
export interface StoredRunConfig {
  input: CreateRunInput & { repeats: number; concurrency: number; cache: boolean; maxRetries: number };
  /** the pg-boss queue the run's chunks go to: the shared one, or one owned by the CLI process that holds env keys */
  queue: string;
  /** where the run came from */
  source: "web" | "cli" | "api";
  /** the run covers the selected cases created up to this instant (ISO) */
  casesAsOf: string;
  /** the suite file as given, for CLI runs */
  suiteFile?: unknown;
  /** result counts kept when the run ended */
  final?: { done: number; errors: number; retries: number; cached: number };
}

export interface ErrorInfo {
  kind: string;
  message: string;
  status?: number;
}

/** One result as the grid shows it. */
export interface ResultCell {
  resultId: string;
  variantId: string;
  output: string | null;
  finishReason: string | null;
  pass: boolean | null;
  score: number | null;
  /** why it failed (failure-reason.ts): the error, or the failing assertions' reasons; null when it did not fail */
  reason: string | null;
  assertions: AssertionOutcome[];
  error: ErrorInfo | null;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  cached: boolean;
  attempts: number;
  retries: number;
}

/** One case (and repeat) across the variants: `cells[i]` belongs to `variants[i]`, null while not yet run. */
export interface ResultRow {
  caseId: string;
  key: string;
  position: number;
  repeat: number;
  variables: Record<string, unknown>;
  expected: string | null;
  tags: string[];
  cells: (ResultCell | null)[];
}

export type ResultFilter = "all" | "failures" | "errors" | "disagree";

export interface ListResultsOptions {
  offset?: number;
  /** at most 500 */
  limit?: number;
  filter?: ResultFilter;
  /** case key, variable values or output contain this text (case-insensitive) */
  search?: string;
}

export interface ResultPage {
  variants: { id: string; label: string; position: number }[];
  rows: ResultRow[];
  /** rows matching the filter */
  total: number;
  offset: number;
  limit: number;
}

export type ExportFormat = "json" | "jsonl" | "csv";
