import type { Agreement } from "./agreement.ts";
import type { HeadSpec } from "./classifier.ts";

// The contract between the distillation pipeline (lib/distill/pipeline.ts, jobs.ts), its API
// (/api/distillations…), the CLI (`assay distill`), the cascade (cascade.ts) and the screens (/w/<slug>/distill).
//
// A distillation goes: collecting (the teacher run on the dataset, an ordinary run of the run engine) → training
// (a pg-boss job; `loss` grows while it trains) → measuring (latency of student, cascade and teacher through the one
// call path; the coverage–agreement curve) → done. failed and cancelled are final; nothing half-made is left
// registered: the Student row is written once, complete, at the end of training.

export const DISTILLATION_STATES = ["collecting", "training", "measuring", "done", "failed", "cancelled"] as const;
export type DistillationState = (typeof DISTILLATION_STATES)[number];
export const FINAL_STATES: readonly DistillationState[] = ["done", "failed", "cancelled"];

export const STUDENT_KINDS = ["classifier", "lm"] as const;
export type StudentKind = (typeof STUDENT_KINDS)[number];

export const CASCADE_PREFIX = "cascade:";

/** Stored in Distillation.config: what the user asked for, after defaults. */
export interface DistillationConfig {
  sources: {
    /** the suite whose cases are (part of) the dataset */
    suiteId: string | null;
    /** the prompt's stored calls (playground, gateway) whose variables become cases: at most this many, newest first */
    calls: number;
    /** uploaded rows (CSV or JSONL of variables, optionally `expected`): how many were given */
    uploadedRows: number;
  };
  /** share of rows held out (default 0.2), stratified by class for label tasks */
  heldOutShare: number;
  seed: number;
  /** the agreement the cascade threshold is picked for (default 0.98) */
  targetAgreement: number;
  /** lm students: the base GGUF (a local model name) fine-tuned, epochs, learning rate */
  lm: { baseModel: string; epochs: number; learningRate: number } | null;
}

export interface LossPoint {
  step: number;
  epoch: number;
  loss: number;
  heldOutLoss?: number;
}

export interface FailedRow {
  caseKey: string;
  input: string;
  error: string;
}

export interface LatencySummary {
  calls: number;
  p50Ms: number;
  p95Ms: number;
}

export interface CurvePoint {
  /** the student answers when its confidence ≥ threshold */
  threshold: number;
  /** share of held-out rows the student answers */
  coverage: number;
  /** agreement of the cascade (student where covered, teacher elsewhere) with the teacher on held-out rows */
  agreement: number;
}

/** Stored in Distillation.report when done. Figures are measured, never constants. */
export interface DistillationReport {
  task: "label" | "fields" | "text";
  studentKind: StudentKind;
  rows: { total: number; train: number; heldOut: number; failed: number };
  /** all heads right, share of held-out rows */
  exactMatch: number;
  /** per head: exact match, Cohen's κ with its interval, the confusion matrix (classifier students) */
  heads: (Agreement & { field: string | null })[];
  /** against the cases' `expected`, where they have one (null when no held-out case has one) */
  accuracy: { cases: number; teacher: number; student: number; cascade: number | null } | null;
  /** through the same call path (limitedCall → callModel → the openai SDK) on the held-out inputs */
  latency: { student: LatencySummary; cascade: LatencySummary | null; teacher: LatencySummary };
  /** money per 1,000 calls, from the teacher's measured usage and the connection's prices; null when unpriced */
  costPer1000: { student: number; cascade: number | null; teacher: number | null };
  sizeBytes: number;
  trainingMs: number;
  /** classifier students: the coverage–agreement curve, highest threshold first */
  curve: CurvePoint[];
  /** the cascade at the threshold picked for config.targetAgreement (null for lm students) */
  cascade: (CurvePoint & { targetAgreement: number; teacherCalls: number }) | null;
  /** lm students: final training loss and the greedy outputs' exact match on held-out inputs */
  lm: { epochs: number; finalLoss: number; trainTokens: number } | null;
  /** the held-out cases (Case ids of the dataset suite), for "Compare" (added by the pipeline) */
  heldOutCaseIds?: string[];
}

export interface DistillationView {
  id: string;
  name: string;
  studentKind: StudentKind;
  state: DistillationState;
  teacher: {
    promptId: string | null;
    promptName: string | null;
    versionId: string | null;
    versionNumber: number | null;
    label: string | null;
    connectionId: string | null;
    connectionName: string | null;
    model: string;
  };
  suite: { id: string; name: string } | null;
  teacherRun: { id: string; status: string; done: number; total: number; failed: number } | null;
  compareRunId: string | null;
  config: DistillationConfig;
  failedRows: FailedRow[];
  loss: LossPoint[];
  report: DistillationReport | null;
  student: {
    id: string;
    name: string;
    kind: StudentKind;
    classes: HeadSpec[];
    sizeBytes: number | null;
    cascadeThreshold: number | null;
    /** the model names on the Local models connection */
    models: string[];
  } | null;
  error: string | null;
  cancelRequested: boolean;
  createdBy: { id: string; name: string } | null;
  createdAt: string;
  finishedAt: string | null;
}
