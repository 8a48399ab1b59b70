import type { Evaluation } from "../assertions/index.ts";
import type { Scoring } from "./schema.ts";

// OWNED BY the scoring helper (issue #11): online scoring of release outputs by a suite's assertions and/or a judge.
// Placeholder with the final signature so the gateway can call it: no scorer, nothing scored.

export interface ScoreContext {
  variables: Record<string, unknown>;
  latencyMs: number | null;
  cost: number | null;
  outputTokens: number | null;
  finishReason: string | null;
}

export interface Scorer {
  /** the outcome as Call.evaluation stores it; a failing judge rejects (the gateway logs it and stores no evaluation) */
  score(output: string, context: ScoreContext): Promise<Evaluation>;
}

/** The scorer for a release's scoring config (cached per release and config by the implementation); null when none. */
export async function getScorer(workspaceId: string, releaseId: string, scoring: Scoring | null): Promise<Scorer | null> {
  void workspaceId;
  void releaseId;
  void scoring;
  return null;
}
