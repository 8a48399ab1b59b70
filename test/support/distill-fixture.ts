import type { DistillationView } from "../../lib/distill/types.ts";

// Realistic DistillationViews for the distillation screens' own tests and for looking at the screens before the
// pipeline is wired: a sentiment label task (positive / negative / neutral) of 200 rows, 40 held out.

const loss = Array.from({ length: 30 }, (_, index) => ({
  step: (index + 1) * 10,
  epoch: index + 1,
  loss: 1.1 * Math.exp(-index / 6) + 0.05,
  heldOutLoss: 1.1 * Math.exp(-index / 7) + 0.09,
}));

const base: DistillationView = {
  id: "dist_fixture_1",
  name: "sentiment-small",
  studentKind: "classifier",
  state: "training",
  teacher: {
    promptId: "prompt_1",
    promptName: "sentiment",
    versionId: "version_3",
    versionNumber: 3,
    label: "production",
    connectionId: "conn_1",
    connectionName: "OpenAI",
    model: "gpt-4o-mini",
  },
  suite: { id: "suite_1", name: "reviews" },
  teacherRun: { id: "run_1", status: "completed", done: 200, total: 200, failed: 3 },
  compareRunId: null,
  config: { sources: { suiteId: "suite_1", calls: 50, uploadedRows: 0 }, heldOutShare: 0.2, seed: 1, targetAgreement: 0.98, lm: null },
  failedRows: [
    { caseKey: "review-17", input: "Classify the sentiment: the box was fine I guess", error: "HTTP 500 from the teacher: upstream overloaded" },
    { caseKey: "review-88", input: "Classify the sentiment: ???", error: "timed out after 30 s" },
    { caseKey: "call-9", input: "Classify the sentiment: meh", error: "HTTP 429: rate limited (3 retries)" },
  ],
  loss: loss.slice(0, 12),
  report: null,
  student: null,
  error: null,
  cancelRequested: false,
  createdBy: { id: "user_1", name: "Ada Owner" },
  createdAt: "2026-12-02T05:20:00.000Z",
  finishedAt: null,
};

export const TRAINING_VIEW: DistillationView = base;

const curve = Array.from({ length: 21 }, (_, index) => {
  const threshold = 1 - index * 0.05;
  const coverage = Math.min(1, 0.15 + index * 0.045);
  const agreement = Math.max(0.9, 1 - Math.max(0, coverage - 0.55) * 0.2);
  return { threshold, coverage, agreement };
});

export const DONE_VIEW: DistillationView = {
  ...base,
  state: "done",
  loss,
  finishedAt: "2026-12-02T05:22:10.000Z",
  report: {
    task: "label",
    studentKind: "classifier",
    rows: { total: 197, train: 157, heldOut: 40, failed: 3 },
    exactMatch: 0.975,
    heads: [
      {
        field: null,
        n: 40,
        exactMatch: 0.975,
        kappa: 0.962,
        kappaInterval: [0.89, 1],
        classes: ["negative", "neutral", "positive"],
        confusion: [
          [14, 0, 0],
          [0, 10, 1],
          [0, 0, 15],
        ],
      },
    ],
    accuracy: { cases: 30, teacher: 0.933, student: 0.9, cascade: 0.933 },
    latency: {
      student: { calls: 40, p50Ms: 0.8, p95Ms: 1.6 },
      cascade: { calls: 40, p50Ms: 1.1, p95Ms: 310 },
      teacher: { calls: 197, p50Ms: 420, p95Ms: 980 },
    },
    costPer1000: { student: 0, cascade: 0.021, teacher: 0.093 },
    sizeBytes: 1_310_720,
    trainingMs: 2400,
    curve,
    cascade: { threshold: 0.7, coverage: 0.42, agreement: 1, targetAgreement: 0.98, teacherCalls: 23 },
    lm: null,
  },
  student: {
    id: "student_1",
    name: "sentiment-small",
    kind: "classifier",
    classes: [{ field: null, values: ["negative", "neutral", "positive"] }],
    sizeBytes: 1_310_720,
    cascadeThreshold: 0.7,
    models: ["student:sentiment-small", "cascade:sentiment-small"],
  },
};

export const COLLECTING_VIEW: DistillationView = {
  ...base,
  id: "dist_fixture_2",
  name: "intent-router",
  state: "collecting",
  teacherRun: { id: "run_2", status: "running", done: 64, total: 180, failed: 0 },
  loss: [],
  failedRows: [],
  createdAt: "2026-12-02T05:25:00.000Z",
};
