import { db } from "../db.ts";
import { messageOf } from "../errors.ts";
import { resolveTarget } from "../connections/service.ts";
import { limitedCall, type LimitedTarget } from "../llm/limited-call.ts";
import { answerText, type ClassifierStudent } from "./classifier.ts";
import { coverageAgreementCurve, pickThreshold, type ScoredRow } from "./cascade-curve.ts";
import type { DetectedTask } from "./task.ts";
import type { CurvePoint, LatencySummary } from "./types.ts";

// The distillation's figures on held-out rows: the coverage–agreement curve (confidence = the probability of the
// student's answer, the lowest head's for a fields task), accuracy against `expected` (teacher, student, cascade),
// latency through the one call path (limitedCall) to the Local models connection's model server, cost per 1,000.

export interface HeldOutRow {
  input: string;
  /** the teacher's output */
  output: string;
  expected: string | null;
}

export interface ScoredHeldOut extends ScoredRow {
  studentAnswer: string;
}

/** Per held-out row: the student's answer, its confidence, whether every head agrees with the teacher. */
export function scoreHeldOut(task: DetectedTask, classifier: ClassifierStudent, rows: readonly HeldOutRow[]): ScoredHeldOut[] {
  return rows.map((row) => {
    const predictions = classifier.predict(row.input);
    const teacher = teacherClasses(task, row.output);
    const agrees = predictions.every((prediction, head) => teacher[head] === prediction.value);
    const confidence = Math.min(...predictions.map((prediction) => Math.max(...prediction.probabilities)));
    return { confidence, agrees, studentAnswer: answerText(predictions) };
  });
}

function teacherClasses(task: DetectedTask, output: string): unknown[] {
  if (task.kind === "label") return [output.trim()];
  const object = JSON.parse(output.trim()) as Record<string, unknown>;
  return task.heads.map((head) => object[head.field!]);
}

/** An output matches `expected`: the same label (trimmed), or for a fields task the same value in every field. */
export function matchesExpected(task: DetectedTask, output: string, expected: string): boolean {
  if (task.kind === "label") return output.trim() === expected.trim();
  let want: Record<string, unknown>;
  let got: Record<string, unknown>;
  try {
    want = JSON.parse(expected) as Record<string, unknown>;
    got = JSON.parse(output) as Record<string, unknown>;
  } catch {
    // Not JSON on one side: not the same fields.
    return false;
  }
  if (!want || !got || typeof want !== "object" || typeof got !== "object") return false;
  return task.heads.every((head) => want[head.field!] === got[head.field!]);
}

export interface CascadePick {
  curve: CurvePoint[];
  cascade: (CurvePoint & { targetAgreement: number; teacherCalls: number }) | null;
}

export function pickCascade(scored: readonly ScoredRow[], targetAgreement: number): CascadePick {
  const curve = coverageAgreementCurve(scored);
  const point = pickThreshold(curve, targetAgreement);
  if (!point) return { curve, cascade: null };
  const teacherCalls = scored.filter((row) => row.confidence < point.threshold).length;
  return { curve, cascade: { ...point, targetAgreement, teacherCalls } };
}

export function accuracyOf(
  task: DetectedTask,
  rows: readonly HeldOutRow[],
  scored: readonly ScoredHeldOut[],
  threshold: number | null,
): { cases: number; teacher: number; student: number; cascade: number | null } | null {
  let cases = 0;
  let teacher = 0;
  let student = 0;
  let cascade = 0;
  rows.forEach((row, index) => {
    if (row.expected === null) return;
    cases++;
    const studentAnswer = scored[index]!.studentAnswer;
    if (matchesExpected(task, row.output, row.expected)) teacher++;
    if (matchesExpected(task, studentAnswer, row.expected)) student++;
    const cascadeAnswer = threshold !== null && scored[index]!.confidence >= threshold ? studentAnswer : row.output;
    if (matchesExpected(task, cascadeAnswer, row.expected)) cascade++;
  });
  if (cases === 0) return null;
  return { cases, teacher: teacher / cases, student: student / cases, cascade: threshold === null ? null : cascade / cases };
}

export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { calls: sorted.length, p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) };
}

/** The workspace's Local models connection (the built-in local one), or null. */
export async function localConnectionId(workspaceId: string): Promise<string | null> {
  const row = await db.connection.findFirst({ where: { workspaceId, kind: "local" }, orderBy: { createdAt: "asc" }, select: { id: true } });
  return row?.id ?? null;
}

export const LATENCY_CALLS = 50;

/**
 * p50/p95 latency of `model` on the Local models connection, one call at a time on up to LATENCY_CALLS held-out
 * inputs, through limitedCall. Returns the reason instead when the model cannot be called (no local connection,
 * the model server not running, cascade:<name> not served).
 */
export async function measureLatency(
  workspaceId: string,
  model: string,
  inputs: readonly string[],
  signal: AbortSignal,
): Promise<{ summary: LatencySummary; outputs: string[] } | { error: string }> {
  const connectionId = await localConnectionId(workspaceId);
  if (!connectionId) return { error: "the workspace has no Local models connection" };
  const resolved = await resolveTarget(workspaceId, connectionId, model);
  const target: LimitedTarget = {
    target: { baseURL: resolved.baseURL, apiKey: resolved.apiKey, model, ...(resolved.timeoutMs ? { timeoutMs: resolved.timeoutMs } : {}) },
    connectionId,
    limitKey: connectionId,
    concurrency: resolved.concurrency,
    rpm: resolved.rpm,
    tpm: resolved.tpm,
  };
  const latencies: number[] = [];
  const outputs: string[] = [];
  for (const input of inputs.slice(0, LATENCY_CALLS)) {
    try {
      const { result } = await limitedCall(target, [{ role: "user", content: input }], { temperature: 0 }, { run: null }, { maxRetries: 0, signal });
      if (result.error) return { error: `${model}: ${result.error.message}` };
      latencies.push(result.latencyMs);
      outputs.push(result.output);
    } catch (error) {
      return { error: `${model}: ${messageOf(error)}` };
    }
  }
  return { summary: summarize(latencies), outputs };
}
