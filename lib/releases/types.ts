import type { ReleaseConfig, ReleaseMode, ReleaseState } from "./schema.ts";
import type { Stage } from "./stages.ts";

// What GET /api/releases/:id returns, the release page renders and `assay releases show` prints. Figures are
// computed from the stored Calls (lib/releases/figures.ts), so every replica's traffic counts.

export interface Interval {
  value: number | null;
  low: number | null;
  high: number | null;
}

export interface ArmFigures {
  arm: string;
  versionId: string;
  versionNumber: number;
  /** answering calls (shadow calls counted in `shadowCalls`) */
  calls: number;
  /** calls with a user key (sticky) and without (assigned per request, counted apart) */
  sticky: number;
  anonymous: number;
  users: number;
  shadowCalls: number;
  errors: number;
  /** error share with its Wilson interval */
  errorRate: Interval;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; p95Interval: Interval; ecdf: [number, number][] };
  /** latency figures and the latency guard use the arm's latest `cap` successful calls: `used` of them here */
  latencySample?: { used: number; cap: number };
  ttftMs: { p50: number | null; p95: number | null };
  /** online scoring: calls scored, passed, and the pass rate's Wilson interval; null when nothing is scored */
  passRate: (Interval & { scored: number; passed: number }) | null;
  /** feedback scores (0–1): count, mean and its interval; null without feedback */
  feedback: (Interval & { count: number }) | null;
  /** dollars per 1,000 calls, null when prices are unknown */
  costPer1000: number | null;
  /** interleaving: interactions credited to this arm */
  interactions: number;
}

export interface RingFigures {
  ring: string;
  /** calls per arm in this ring */
  calls: Record<string, number>;
}

export type GuardName = "errorRate" | "latency" | "passRate" | "feedback";

export interface GuardStatus {
  name: GuardName;
  /** the candidate arm compared with stable */
  arm: string;
  enabled: boolean;
  /** waiting: too few calls or nothing to measure; pass: no evidence of harm beyond the threshold; breach: rolled back */
  status: "waiting" | "pass" | "breach";
  /** candidate − stable (error rate, pass rate, feedback) or the Hodges–Lehmann shift in ms (latency) */
  estimate: number | null;
  interval: Interval;
  /** the tolerated worsening, in the estimate's unit */
  threshold: number;
  /** the always-valid evidence (mSPRT likelihood ratio, log scale) against its bound log(1/alpha) */
  evidence: number;
  bound: number;
  /** this guard's share of the release's alpha */
  alpha: number;
  message: string;
}

export interface SrmStatus {
  status: "waiting" | "ok" | "mismatch";
  chiSquare: number | null;
  pValue: number | null;
  expected: Record<string, number>;
  observed: Record<string, number>;
  message: string;
}

/** A/B: one row per candidate arm and metric, Holm-corrected across candidate arms when there are more than one. */
export interface AbVerdict {
  arm: string;
  metric: GuardName | "costPer1000";
  difference: Interval;
  pValue: number | null;
  adjustedPValue: number | null;
  verdict: "better" | "worse" | "no detectable difference" | "too few calls";
}

/** Shadow: requests where both outputs were scored, as pairs. */
export interface ShadowComparison {
  pairs: number;
  scoredPairs: number;
  /** candidate passed where stable failed, and the reverse (McNemar exact) */
  candidateOnly: number;
  stableOnly: number;
  pValue: number | null;
  /** mean score difference (candidate − stable) with a paired bootstrap interval */
  scoreDifference: Interval;
  latencyShiftMs: Interval;
  verdict: string;
}

export interface InterleavingVerdict {
  requests: number;
  withPreference: number;
  candidateWins: number;
  stableWins: number;
  pValue: number | null;
  verdict: string;
}

export interface StageProgress {
  heldMinutes: number;
  minMinutes: number;
  candidateCalls: number;
  minCalls: number;
  /** held long enough, with enough calls, and every guard passing */
  ready: boolean;
}

export interface ReleaseFigures {
  computedAt: string;
  arms: ArmFigures[];
  rings: RingFigures[];
  guards: GuardStatus[];
  srm: SrmStatus;
  ab: AbVerdict[];
  shadow: ShadowComparison | null;
  interleaving: InterleavingVerdict | null;
  stage: StageProgress;
}

export interface ReleaseReason {
  kind: "guard" | "srm" | "manual" | "promoted" | "stopped";
  message: string;
  /** guard or SRM status at the moment of the decision */
  evidence?: unknown;
}

export interface ReleaseEventView {
  id: string;
  kind: string;
  /** null: the monitor acted by itself */
  actor: { id: string; name: string } | null;
  data: Record<string, unknown>;
  createdAt: string;
}

export interface ReleaseArmView {
  name: string;
  versionId: string;
  versionNumber: number;
}

export interface ReleaseView {
  id: string;
  promptId: string;
  promptName: string;
  mode: ReleaseMode;
  state: ReleaseState;
  stableLabel: string;
  config: ReleaseConfig;
  stages: Stage[];
  stage: number;
  stageStartedAt: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  reason: ReleaseReason | null;
  arms: ReleaseArmView[];
  events: ReleaseEventView[];
  figures: ReleaseFigures;
  /** whether the stable label may move to the candidate now (the review rule of protected labels) */
  promotion: { label: string; ready: boolean; reason: string | null };
}

export interface ReleaseSummary {
  id: string;
  promptId: string;
  promptName: string;
  mode: ReleaseMode;
  state: ReleaseState;
  stableLabel: string;
  arms: ReleaseArmView[];
  stageTitle: string;
  createdAt: string;
  updatedAt: string;
}
