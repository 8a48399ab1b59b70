import type { ReleaseFigures } from "./types.ts";

// OWNED BY the guards helper (issue #11): per-arm figures, guards, SRM and verdicts from the stored Calls.
// Placeholder with the final signature so the API and the page can be written against it.

export async function computeReleaseFigures(releaseId: string): Promise<ReleaseFigures> {
  void releaseId;
  return {
    computedAt: new Date().toISOString(),
    arms: [],
    rings: [],
    guards: [],
    srm: { status: "waiting", chiSquare: null, pValue: null, expected: {}, observed: {}, message: "No calls yet." },
    ab: [],
    shadow: null,
    interleaving: null,
    stage: { heldMinutes: 0, minMinutes: 0, candidateCalls: 0, minCalls: 0, ready: false },
  };
}
