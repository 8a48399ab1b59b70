import { quantileOfSorted } from "../stats/index.ts";
import type { Rng } from "../stats/index.ts";

// Bootstrap intervals for percentiles (p50, p90, p95, p99) without resampling n values each time.
//
// Drawing n indices uniformly and sorting them is the same as taking floor(n · U₍ₖ₎) for the order statistics
// U₍ₖ₎ of n uniforms, and those are ratios of sums of exponentials: U₍ₖ₎ = Sₖ / Sₙ₊₁ with Sₖ ~ Gamma(k). So the k-th
// smallest value of a bootstrap resample is sorted[floor(n · Sₖ / Sₙ₊₁)], and the few order statistics a type-7
// quantile needs (two per percentile) come from a handful of gamma draws. Each replicate has exactly the
// distribution that resampling gives — this is the same bootstrap, simulated in O(percentiles) per replicate
// instead of O(n): 10,000 replicates of four percentiles of 5,000 latencies take milliseconds, not a second.

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape 0 is the point mass at 0. */
export function gammaDraw(shape: number, rng: Rng): number {
  if (shape <= 0) return 0;
  if (shape === 1) return -Math.log(1 - rng.next());
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.nextNormal();
    const root = 1 + c * x;
    if (root <= 0) continue;
    const v = root * root * root;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

interface Plan {
  /** 1-based ranks of the resample order statistics the percentiles need, ascending, distinct */
  ranks: number[];
  /** for each percentile: index into ranks of its lower order statistic, of the upper one, and the weight */
  terms: { lower: number; upper: number; fraction: number }[];
}

function plan(n: number, ps: readonly number[]): Plan {
  const wanted = new Set<number>();
  const raw = ps.map((p) => {
    const position = (n - 1) * p;
    const below = Math.floor(position);
    const fraction = position - below;
    const lowerRank = below + 1;
    const upperRank = fraction > 0 && lowerRank < n ? lowerRank + 1 : lowerRank;
    wanted.add(lowerRank);
    wanted.add(upperRank);
    return { lowerRank, upperRank, fraction: upperRank === lowerRank ? 0 : fraction };
  });
  const ranks = [...wanted].sort((left, right) => left - right);
  return {
    ranks,
    terms: raw.map((term) => ({ lower: ranks.indexOf(term.lowerRank), upper: ranks.indexOf(term.upperRank), fraction: term.fraction })),
  };
}

/**
 * Bootstrap replicates of type-7 percentiles of an ascending sample: `replicates[i][r]` is percentile `ps[i]` of
 * replicate r. Empty sample: no replicates.
 */
export function quantileReplicates(sorted: Float64Array, ps: readonly number[], resamples: number, rng: Rng): Float64Array[] {
  const n = sorted.length;
  const replicates = ps.map(() => new Float64Array(n === 0 ? 0 : resamples));
  if (n === 0) return replicates;
  const { ranks, terms } = plan(n, ps);
  const values = new Float64Array(ranks.length);
  const sums = new Float64Array(ranks.length);
  for (let r = 0; r < resamples; r++) {
    let running = 0;
    let previousRank = 0;
    for (let index = 0; index < ranks.length; index++) {
      const rank = ranks[index] as number;
      running += gammaDraw(rank - previousRank, rng);
      sums[index] = running;
      previousRank = rank;
    }
    const total = running + gammaDraw(n + 1 - previousRank, rng);
    for (let index = 0; index < ranks.length; index++) {
      const position = Math.min(n - 1, Math.floor((n * (sums[index] as number)) / total));
      values[index] = sorted[position] as number;
    }
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i] as Plan["terms"][number];
      const low = values[term.lower] as number;
      (replicates[i] as Float64Array)[r] = low + term.fraction * ((values[term.upper] as number) - low);
    }
  }
  return replicates;
}

/** Type-7 percentile estimates of an ascending sample (NaN when empty). */
export function quantileEstimates(sorted: Float64Array, ps: readonly number[]): number[] {
  return ps.map((p) => quantileOfSorted(sorted, p));
}
