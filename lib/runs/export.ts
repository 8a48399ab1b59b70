import { stringify } from "csv-stringify/sync";
import { neutralizeFormula } from "../csv-formula.ts";
import { db } from "../db.ts";
import { getRun } from "./read-runs.ts";
import { toCell } from "./results.ts";
import { selectedCaseIds } from "./cells.ts";
import { runShape } from "./shape.ts";
import type { ErrorInfo, ExportFormat, RunDetail } from "./types.ts";

// A stored run's results as files, streamed a page of cases at a time: JSON (the run, its summaries and the
// results), JSONL (one result per line) and CSV (one result per row, for spreadsheets).

export interface ExportRecord {
  runId: string;
  variant: string;
  variantId: string;
  caseId: string;
  caseKey: string;
  repeat: number;
  variables: Record<string, unknown>;
  expected: string | null;
  tags: string[];
  output: string | null;
  pass: boolean | null;
  score: number | null;
  /** why it failed (failure-reason.ts), as the grid and compare say it */
  reason: string | null;
  error: ErrorInfo | null;
  finishReason: string | null;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  cached: boolean;
  attempts: number;
  retries: number;
  assertions: unknown[];
}

/** The run's results in suite order (case, repeat, variant). */
export async function* exportRecords(run: RunDetail): AsyncGenerator<ExportRecord> {
  const shape = await runShape(run.id);
  if (!shape) return;
  const labels = new Map(run.variants.map((variant) => [variant.id, variant]));
  for await (const caseIds of selectedCaseIds(shape.selection)) {
    const [cases, results] = await Promise.all([
      db.case.findMany({ where: { id: { in: caseIds } } }),
      db.result.findMany({ where: { runId: run.id, caseId: { in: caseIds } } }),
    ]);
    const caseById = new Map(cases.map((row) => [row.id, row]));
    const order = new Map(caseIds.map((id, index) => [id, index]));
    results.sort(
      (left, right) =>
        (order.get(left.caseId) ?? 0) - (order.get(right.caseId) ?? 0) ||
        left.repeat - right.repeat ||
        (labels.get(left.variantId)?.position ?? 0) - (labels.get(right.variantId)?.position ?? 0),
    );
    for (const result of results) {
      const row = caseById.get(result.caseId);
      if (!row) continue;
      const cell = toCell(result);
      yield {
        runId: run.id,
        variant: labels.get(result.variantId)?.label ?? result.variantId,
        variantId: result.variantId,
        caseId: row.id,
        caseKey: row.key,
        repeat: result.repeat,
        variables: (row.variables ?? {}) as Record<string, unknown>,
        expected: row.expected,
        tags: row.tags,
        output: result.output,
        pass: result.pass,
        score: result.score,
        reason: cell.reason,
        error: cell.error,
        finishReason: result.finishReason,
        latencyMs: result.latencyMs,
        ttftMs: result.ttftMs,
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
        cost: result.cost,
        cached: result.cached,
        attempts: result.attempts,
        retries: result.retries,
        assertions: cell.assertions,
      };
    }
  }
}

const CSV_COLUMNS: (keyof ExportRecord)[] = [
  "variant",
  "caseKey",
  "repeat",
  "variables",
  "expected",
  "output",
  "pass",
  "score",
  "reason",
  "finishReason",
  "latencyMs",
  "ttftMs",
  "inputTokens",
  "outputTokens",
  "cost",
  "cached",
  "attempts",
  "retries",
];

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  // Text from models and users may begin like a formula; numbers and booleans are written as they are.
  if (typeof value === "string") return neutralizeFormula(value);
  return String(value);
}

/** The run's results as text chunks, streamed a page at a time. */
export async function* exportResults(workspaceId: string, runId: string, format: ExportFormat): AsyncGenerator<string> {
  const run = await getRun(workspaceId, runId);
  if (format === "csv") {
    yield stringify([CSV_COLUMNS]);
    for await (const record of exportRecords(run)) yield stringify([CSV_COLUMNS.map((column) => csvValue(record[column]))]);
    return;
  }
  if (format === "jsonl") {
    for await (const record of exportRecords(run)) yield `${JSON.stringify(record)}\n`;
    return;
  }
  const { config: _config, ...summary } = run;
  const head = JSON.stringify({ run: summary }, null, 0);
  yield `${head.slice(0, -1)},"results":[`;
  let first = true;
  for await (const record of exportRecords(run)) {
    yield `${first ? "\n" : ",\n"}${JSON.stringify(record)}`;
    first = false;
  }
  yield first ? "]}\n" : "\n]}\n";
}
