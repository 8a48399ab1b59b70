import type { ReleaseAction, ReleaseState } from "./schema.ts";
import type { ReleaseReason } from "./types.ts";

// OWNED BY the releases helper (issue #11): the release state machine. Placeholder with the final signature so the
// monitor (guards helper) can be written against it.

export interface TransitionOptions {
  /** the person acting; null when the monitor acts by itself */
  actorId: string | null;
  /** a note for the timeline (the API's `reason`) */
  note?: string;
  /** why, as Release.reason stores it (guards and SRM put their evidence here) */
  reason?: ReleaseReason;
  /** promote: which arm (A/B); default "candidate" */
  arm?: string;
  /** act only if the release is still in this state and stage (the monitor's guard against acting twice) */
  expect?: { state?: ReleaseState; stage?: number };
}

export interface TransitionResult {
  state: ReleaseState;
  stage: number;
  /** false when `expect` no longer held and nothing changed */
  changed: boolean;
}

export async function transitionRelease(
  workspaceId: string,
  releaseId: string,
  action: ReleaseAction,
  options: TransitionOptions,
): Promise<TransitionResult> {
  void workspaceId;
  void releaseId;
  void action;
  void options;
  throw new Error("transitionRelease is not written yet");
}
