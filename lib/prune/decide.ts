import { mcnemarExact } from "../stats/index.ts";
import type { PromptContent } from "../prompts/types.ts";

// The pure half of example pruning: which items a prompt has, what a candidate prompt looks like, and whether a
// candidate is "not worse" than the full prompt on the same cases.

export interface PruneItem {
  kind: "example" | "counterexample";
  /** position in the version's examples or counterexamples */
  index: number;
  label: string;
}

/** Every example and counterexample of a version, examples first. */
export function pruneItems(content: PromptContent): PruneItem[] {
  return [
    ...content.examples.map((_, index) => ({ kind: "example" as const, index, label: `example ${index + 1}` })),
    ...content.counterexamples.map((_, index) => ({ kind: "counterexample" as const, index, label: `counterexample ${index + 1}` })),
  ];
}

export function itemKey(item: PruneItem): string {
  return `${item.kind}:${item.index}`;
}

/** The version's prompt with only the kept items, in their original order. */
export function keepOnly(content: PromptContent, kept: readonly PruneItem[]): PromptContent {
  const keys = new Set(kept.map(itemKey));
  return {
    ...content,
    examples: content.examples.filter((_, index) => keys.has(`example:${index}`)),
    counterexamples: content.counterexamples.filter((_, index) => keys.has(`counterexample:${index}`)),
  };
}

export interface PairedEvidence {
  cases: number;
  /** pass rates, 0–1 */
  fullPassRate: number;
  candidatePassRate: number;
  /** full − candidate, in points (positive: the candidate passes fewer cases) */
  dropPoints: number;
  /** cases only the full prompt passes, and only the candidate passes */
  onlyFull: number;
  onlyCandidate: number;
  /** exact McNemar test, two-sided */
  pValue: number;
  notWorse: boolean;
}

/**
 * Compares a candidate with the full prompt on the same cases (case id → passed). A candidate is not worse when its
 * pass rate is at most `marginPoints` below the full prompt's and the paired test does not show it worse at `alpha`.
 * Cases missing from either side, or without a pass outcome (errors), count as failures: an error is not a pass.
 */
export function compareToFull(
  full: ReadonlyMap<string, boolean>,
  candidate: ReadonlyMap<string, boolean>,
  options: { marginPoints: number; alpha: number },
): PairedEvidence {
  let fullPasses = 0;
  let candidatePasses = 0;
  let onlyFull = 0;
  let onlyCandidate = 0;
  for (const [caseId, fullPass] of full) {
    const candidatePass = candidate.get(caseId) === true;
    if (fullPass) fullPasses++;
    if (candidatePass) candidatePasses++;
    if (fullPass && !candidatePass) onlyFull++;
    if (!fullPass && candidatePass) onlyCandidate++;
  }
  const cases = full.size;
  const fullPassRate = cases === 0 ? 0 : fullPasses / cases;
  const candidatePassRate = cases === 0 ? 0 : candidatePasses / cases;
  const dropPoints = (fullPassRate - candidatePassRate) * 100;
  const { pValue } = mcnemarExact(onlyFull, onlyCandidate);
  // A tiny tolerance so that exactly-at-the-margin drops are not lost to floating-point noise.
  const withinMargin = dropPoints <= options.marginPoints + 1e-9;
  const shownWorse = onlyFull > onlyCandidate && pValue < options.alpha;
  return { cases, fullPassRate, candidatePassRate, dropPoints, onlyFull, onlyCandidate, pValue, notWorse: cases > 0 && withinMargin && !shownWorse };
}

export interface ScoredRemoval {
  item: PruneItem;
  evidence: PairedEvidence;
  /** mean input tokens per call of the prompt without this item (null when no call reported usage) */
  inputTokensPerCall: number | null;
}

/**
 * The removal that hurts least: the highest pass rate without it; on a tie, the one that saves most input tokens,
 * then the latest item (so that earlier examples, usually the most typical, stay).
 */
export function leastHurtful<T extends ScoredRemoval>(removals: readonly T[]): T | null {
  let best: T | null = null;
  for (const removal of removals) {
    if (!best) {
      best = removal;
      continue;
    }
    const rate = removal.evidence.candidatePassRate - best.evidence.candidatePassRate;
    if (Math.abs(rate) > 1e-12) {
      if (rate > 0) best = removal;
      continue;
    }
    const tokens = (best.inputTokensPerCall ?? Infinity) - (removal.inputTokensPerCall ?? Infinity);
    if (Number.isFinite(tokens) && tokens !== 0) {
      if (tokens > 0) best = removal;
      continue;
    }
    best = removal;
  }
  return best;
}
