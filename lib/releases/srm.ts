import { formatCount, formatPercent } from "../format.ts";
import { chiSquareGoodnessOfFit } from "../stats/index.ts";
import { BUCKETS, type Stage } from "./stages.ts";
import type { ReleaseMode } from "./schema.ts";
import type { SrmStatus } from "./types.ts";

// Sample ratio mismatch (docs/guards.md): when the arms receive traffic in a proportion other than the one the plan
// says, something upstream of the comparison is broken (a replica on a stale plan, a client retrying one arm's
// errors, a cache in front of the gateway) and every verdict is suspect. Pearson's chi-square goodness of fit of the
// observed units per arm against the current stage's split; p < 0.001 is a mismatch and pauses the release.
//
// What is counted: the units of randomization of the current stage, since stageStartedAt (plus a short grace for the
// plan to reach every replica): distinct user keys for sticky requests (a user is assigned once, so counting their
// calls would weigh heavy users and make the test far too eager) and single calls for requests without a user key
// (each is assigned on its own). Both are counted together: they are split in the same proportion. Canary: only the
// current ring's traffic (rings already passed are entirely on the candidate). A/B: every open ring. Shadow and
// interleaved releases send every request to one answering arm: there is no split to check.

export const SRM_P_VALUE = 0.001;
/** calls in the first seconds of a stage may still have been routed by the previous plan (caches refresh within 1 s) */
export const SRM_GRACE_MS = 5_000;
/** the chi-square approximation needs expected counts of a few units per arm */
export const SRM_MIN_EXPECTED = 5;

/** The share of the stage's units each arm should get, in arm order; null when the mode has no split to check. */
export function expectedShares(mode: ReleaseMode, arms: readonly string[], stage: Stage, split: readonly number[]): Record<string, number> | null {
  if (mode === "canary") {
    const candidate = stage.shareBps / BUCKETS;
    return { [arms[0] ?? "stable"]: 1 - candidate, [arms[1] ?? "candidate"]: candidate };
  }
  if (mode === "ab") {
    const total = split.reduce((sum, value) => sum + value, 0);
    return Object.fromEntries(arms.map((arm, index) => [arm, (split[index] ?? 0) / total]));
  }
  return null;
}

export function checkSampleRatio(expected: Record<string, number> | null, observed: Record<string, number>): SrmStatus {
  const status = (state: SrmStatus["status"], message: string, chiSquare: number | null = null, pValue: number | null = null): SrmStatus => ({
    status: state, chiSquare, pValue, expected: expected ?? {}, observed, message,
  });
  if (!expected) return status("waiting", "No split to check: every request is answered by stable (shadow or interleaved).");
  const arms = Object.keys(expected);
  const total = arms.reduce((sum, arm) => sum + (observed[arm] ?? 0), 0);
  const tested = arms.filter((arm) => (expected[arm] ?? 0) > 0);
  if (tested.length < 2) return status("waiting", "No split to check: the stage sends all of its traffic to one arm.");
  const least = Math.min(...tested.map((arm) => (expected[arm] ?? 0) * total));
  if (least < SRM_MIN_EXPECTED) return status("waiting", `Waiting: ${formatCount(total)} units in this stage; the smallest arm expects at least ${SRM_MIN_EXPECTED}.`);
  const { chiSquare, pValue } = chiSquareGoodnessOfFit(
    tested.map((arm) => observed[arm] ?? 0),
    tested.map((arm) => expected[arm] ?? 0),
  );
  const shares = tested.map((arm) => `${arm} ${formatPercent((observed[arm] ?? 0) / total)} (expected ${formatPercent(expected[arm] ?? 0)})`).join(", ");
  const p = pValue < 1e-6 ? "< 0.000001" : pValue.toPrecision(2);
  if (pValue < SRM_P_VALUE) {
    return status(
      "mismatch",
      `Sample ratio mismatch: ${shares} over ${formatCount(total)} units; chi-square ${chiSquare.toFixed(1)}, p ${p} < ${SRM_P_VALUE}. ` +
        "The traffic does not follow the plan, so the comparison cannot be trusted: look for a replica on a stale plan, retries or a cache in front of the gateway.",
      chiSquare,
      pValue,
    );
  }
  return status("ok", `Split as planned: ${shares} over ${formatCount(total)} units; chi-square ${chiSquare.toFixed(2)}, p ${p}.`, chiSquare, pValue);
}
