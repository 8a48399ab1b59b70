import { describe, expect, it } from "vitest";
import { createRng, normalCdf, type Rng } from "../../../lib/stats/index.ts";
import { guardsInput } from "../../../lib/releases/schema.ts";
import { evaluateGuards, guardAlpha, type GuardArmSample } from "../../../lib/releases/guards.ts";
import { halfNormalMixtureLogLR, latencyHarm, proportionHarm } from "../../../lib/releases/sequential.ts";

// Simulated releases, checked the way the monitor checks a live one: after every 50 calls per arm.

const LOOK_EVERY = 50;
const MAX_CALLS = 5_000;

interface ArmSimulation {
  errorRate: number;
  /** latency multiplier of a log-normal with median 800 ms and σ 0.5 */
  slower: number;
}

/** Adds `count` calls; latencies stay sorted (merged in), so each look costs no sort. */
function draw(rng: Rng, arm: ArmSimulation, sample: GuardArmSample & { latencies: number[] }, count: number) {
  const fresh: number[] = [];
  for (let i = 0; i < count; i++) {
    sample.calls++;
    if (rng.next() < arm.errorRate) sample.errors++;
    else fresh.push(800 * arm.slower * Math.exp(0.5 * rng.nextNormal()));
  }
  fresh.sort((x, y) => x - y);
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  const old = sample.latencies;
  while (i < old.length || j < fresh.length) merged.push(j >= fresh.length || (i < old.length && old[i]! <= fresh[j]!) ? old[i++]! : fresh[j++]!);
  sample.latencies = merged;
}

const emptySample = (): GuardArmSample & { latencies: number[] } => ({
  calls: 0, errors: 0, scored: 0, passed: 0, feedback: null, latencies: [], latenciesSorted: true,
});

/** The number of calls per arm at the first look where a guard breached, or null when none did up to MAX_CALLS. */
function simulate(seed: number, stable: ArmSimulation, candidate: ArmSimulation, guards = guardsInput.parse({})): { at: number; guard: string } | null {
  const rng = createRng(seed);
  const a = emptySample();
  const b = emptySample();
  for (let calls = LOOK_EVERY; calls <= MAX_CALLS; calls += LOOK_EVERY) {
    draw(rng, stable, a, LOOK_EVERY);
    draw(rng, candidate, b, LOOK_EVERY);
    const breach = evaluateGuards(guards, "candidate", b, a, { withShift: false }).find((status) => status.status === "breach");
    if (breach) return { at: calls, guard: breach.name };
  }
  return null;
}

describe("mSPRT evidence", () => {
  it("is the closed form of the half-normal mixture", () => {
    // d = 0.05, V = 0.0004, τ = 0.05: 0.6931 − 0.9906 + 2.6940 − 0.0102 = 2.3864; in full, log 2 + ½ log(0.0004/0.0029) + 0.0025·0.0025/(2·0.0004·0.0029) + log Φ(0.05·0.05/√(0.0004·0.0029))
    const expected = Math.log(2) + 0.5 * Math.log(0.0004 / 0.0029) + 0.00000625 / 0.00000232 + Math.log(normalCdf(0.0025 / Math.sqrt(0.00000116)));
    expect(halfNormalMixtureLogLR(0.05, 0.0004, 0, 0.05)).toBeCloseTo(expected, 10);
    expect(halfNormalMixtureLogLR(0.05, 0.0004, 0, 0.05)).toBeCloseTo(2.3864, 3);
    // No harm observed: the evidence is below zero (Λ < 1), never a breach.
    expect(halfNormalMixtureLogLR(-0.02, 0.0004, 0, 0.05)).toBeLessThan(0);
  });

  it("splits the release's alpha over the enabled guards and candidate arms (Bonferroni)", () => {
    const guards = guardsInput.parse({ alpha: 0.05 });
    expect(guardAlpha(guards, 1)).toBeCloseTo(0.0125, 12);
    expect(guardAlpha(guardsInput.parse({ alpha: 0.05, passRate: { enabled: false }, feedback: { enabled: false } }), 2)).toBeCloseTo(0.0125, 12);
  });
});

describe("A/A releases checked continuously", () => {
  it("roll back at most 5 % of 200 releases, even with no tolerance at all", () => {
    // Strictest case: tolerance 0 on error rate and latency, so any chance excess could breach; 100 looks per release.
    const strict = guardsInput.parse({ errorRate: { maxIncrease: 0 }, latency: { maxIncrease: 0 } });
    const arm = { errorRate: 0.05, slower: 1 };
    let rolledBack = 0;
    for (let run = 0; run < 200; run++) if (simulate(1_000 + run, arm, arm, strict)) rolledBack++;
    console.log(`A/A: ${rolledBack} of 200 releases rolled back (tolerance 0, alpha 0.05, 100 looks each)`);
    expect(rolledBack).toBeLessThanOrEqual(10);
  }, 30_000);

  it("a naive fixed-n z-test looked at after every 50 calls would roll back far more often", () => {
    // Documentation of the inflation the mSPRT avoids: one-sided z at 1.96 (α 2.5 %) on the error rate, 100 looks.
    let rolledBack = 0;
    for (let run = 0; run < 200; run++) {
      const rng = createRng(5_000 + run);
      let errorsA = 0;
      let errorsB = 0;
      for (let calls = LOOK_EVERY; calls <= MAX_CALLS; calls += LOOK_EVERY) {
        for (let i = 0; i < LOOK_EVERY; i++) {
          if (rng.next() < 0.05) errorsA++;
          if (rng.next() < 0.05) errorsB++;
        }
        const pooled = (errorsA + errorsB) / (2 * calls);
        const z = (errorsB - errorsA) / calls / Math.sqrt((2 * pooled * (1 - pooled)) / calls);
        if (z > 1.96) {
          rolledBack++;
          break;
        }
      }
    }
    console.log(`naive fixed-n test looked at 100 times: ${rolledBack} of 200 A/A releases rolled back`);
    expect(rolledBack).toBeGreaterThan(20);
  });
});

describe("power", () => {
  it("a candidate with 10 % errors against 0 % breaches the error-rate guard within a few hundred calls", () => {
    const result = simulate(7, { errorRate: 0, slower: 1 }, { errorRate: 0.1, slower: 1 });
    console.log(`10 % errors vs 0 %: breach after ${result?.at} calls per arm (${result?.guard})`);
    expect(result?.guard).toBe("errorRate");
    expect(result!.at).toBeLessThanOrEqual(300);
  });

  it("every one of 20 such candidates breaches by 400 calls per arm", () => {
    for (let seed = 100; seed < 120; seed++) {
      const result = simulate(seed, { errorRate: 0, slower: 1 }, { errorRate: 0.1, slower: 1 });
      expect(result?.guard).toBe("errorRate");
      expect(result!.at).toBeLessThanOrEqual(400);
    }
  });

  it("a candidate 30 % slower breaches the latency guard; one 5 % slower (under the 20 % tolerance) does not", () => {
    const slow = simulate(11, { errorRate: 0, slower: 1 }, { errorRate: 0, slower: 1.3 });
    console.log(`30 % slower: breach after ${slow?.at} calls per arm (${slow?.guard})`);
    expect(slow?.guard).toBe("latency");
    expect(slow!.at).toBeLessThanOrEqual(3_000);
    expect(simulate(12, { errorRate: 0, slower: 1 }, { errorRate: 0, slower: 1.05 })).toBeNull();
  });

  it("the latency evidence sizes the shift with Hodges–Lehmann: 1.3× of a constant 1000 ms is +300 ms", () => {
    const stable = Array.from({ length: 200 }, (_, i) => 1000 + (i % 10));
    const candidate = stable.map((value) => value * 1.3);
    const evidence = latencyHarm(candidate, stable, 0.2, 0.0125, { withShift: true });
    // 1.3 × (1000 + k) − (1000 + j): the median of the pairwise differences is 300 + 1.3·4.5 − 4.5 = 301.35
    expect(evidence.shift).toBeCloseTo(301.35, 6);
    expect(evidence.toleratedShift).toBeCloseTo(0.2 * 1004.5, 6);
    expect(evidence.breach).toBe(true);
  });

  it("an error rate 0.5 points up is within the 1-point tolerance: no evidence piles up", () => {
    const evidence = proportionHarm({ events: 550, trials: 10_000 }, { events: 500, trials: 10_000 }, 0.01, 0.0125);
    expect(evidence.estimate).toBeCloseTo(0.005, 12);
    expect(evidence.crossed).toBe(false);
    expect(evidence.logLikelihoodRatio).toBeLessThan(0);
  });
});
