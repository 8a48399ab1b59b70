import { describe, expect, it } from "vitest";
import { computeComparison } from "@/lib/compare/compute.ts";
import type { LoadedResult } from "@/lib/compare/aggregate.ts";
import { createRng, holm } from "@/lib/stats/index.ts";
import { cases, data, result } from "./synthetic.ts";

const fast = { resamples: 1000 };

/** 200 cases: both pass 130, only A 10, only B 30, both fail 30. */
function passFixture(): LoadedResult[] {
  const results: LoadedResult[] = [];
  for (let index = 0; index < 200; index++) {
    const passA = index < 140;
    const passB = index < 130 || (index >= 140 && index < 170);
    results.push(result(0, index, { pass: passA, score: passA ? 1 : 0, latencyMs: 400 + (index % 50) }));
    results.push(result(1, index, { pass: passB, score: passB ? 1 : 0, latencyMs: 300 + (index % 50) }));
  }
  return results;
}

describe("computeComparison", () => {
  it("compares pass rates on paired cases with McNemar and Wilson, and says which variant passes more", () => {
    const comparison = computeComparison(data(2, cases(200), passFixture()), fast);
    const [statsA, statsB] = comparison.stats;
    expect(statsA?.passRate).toMatchObject({ estimate: 0.7, passed: 140, graded: 200, method: "wilson" });
    // Wilson score interval for 140/200 at z = 1.959963984540054, evaluated independently (Python, closed form).
    expect(statsA?.passRate?.low).toBeCloseTo(0.6332093162728074, 12);
    expect(statsA?.passRate?.high).toBeCloseTo(0.7592525531762859, 12);
    expect(statsB?.passRate?.estimate).toBe(0.8);
    const pair = comparison.pairs[0];
    expect(pair?.passCounts).toEqual({ bothPass: 130, onlyA: 10, onlyB: 30, bothFail: 30 });
    const passRate = pair?.metrics.find((metric) => metric.metric === "passRate");
    expect(passRate?.diff).toBeCloseTo(0.1, 12);
    // Exact McNemar on 10 vs 30: 2 · Σ_{k≤10} C(40, k) / 2⁴⁰, in exact rational arithmetic (Python fractions).
    expect(passRate?.pValue).toBeCloseTo(0.0022214337732293643, 14);
    expect(passRate?.low).toBeGreaterThan(0);
    expect(passRate?.verdict).toMatch(/^B passes more cases: \+10\.0 points \(95 % CI \d\.\d to \d+\.\d, p = 0\.00\d\)$/);
    expect(comparison.holmCorrected).toBe(false);
    expect(comparison.analysedCases).toBe(200);
  });

  it("reports the latency shift and percentiles, and leaves cached answers and errors out of latency", () => {
    const results = passFixture().map((item) =>
      item.variant === 1 && item.case < 20 ? { ...item, cached: true, latencyMs: 2, ttftMs: 1 } : item.variant === 0 && item.case === 199 ? { ...item, error: "timed out", pass: false, latencyMs: 60_000 } : item,
    );
    const comparison = computeComparison(data(2, cases(200), results), fast);
    const [statsA, statsB] = comparison.stats;
    expect(statsB?.latency.calls).toBe(180);
    expect(statsB?.cached).toBe(20);
    expect(statsA?.latency.calls).toBe(199);
    expect(statsA?.errors).toBe(1);
    expect(statsA?.latency.percentiles?.p99.estimate).toBeLessThan(500);
    const latency = comparison.pairs[0]?.metrics.find((metric) => metric.metric === "latency");
    // B is 100 ms faster on every case; dropping its 20 cached answers (its fastest cases) moves the shift a little.
    expect(latency?.diff).toBeGreaterThan(-105);
    expect(latency?.diff).toBeLessThan(-90);
    expect(latency?.low).toBeLessThan(latency?.diff as number);
    expect(latency?.verdict).toMatch(/^B is faster: −\d+ ms typical shift \(95 % CI −\d+ ms to −\d+ ms, p < 0\.001\)/);
    expect(comparison.pairs[0]?.latencyPercentiles.map((item) => item.name)).toEqual(["p50", "p90", "p95", "p99"]);
    expect(comparison.notes.join(" ")).toContain("20 cached answers are left out of latency");
    // Cached answers cost nothing now: cost per 1,000 calls is over the 180 real calls.
    expect(statsB?.costPer1k).toMatchObject({ calls: 180 });
    expect(statsB?.costPer1k?.estimate).toBeCloseTo(0.1, 10);
  });

  it("Holm-corrects p-values across the comparisons with the baseline when there are more than two variants", () => {
    const rng = createRng(71);
    const results: LoadedResult[] = [];
    for (let index = 0; index < 150; index++) {
      for (const [variantIndex, rate] of [[0, 0.6], [1, 0.7], [2, 0.62]] as const) {
        const pass = rng.next() < rate;
        results.push(result(variantIndex, index, { pass, score: pass ? 1 : 0, latencyMs: 300 + 100 * rng.next() }));
      }
    }
    const comparison = computeComparison(data(3, cases(150), results), fast);
    expect(comparison.holmCorrected).toBe(true);
    const passRates = comparison.pairs.map((pair) => pair.metrics.find((metric) => metric.metric === "passRate"));
    expect(passRates.map((metric) => metric?.adjustedP)).toEqual(holm(passRates.map((metric) => metric?.pValue as number)));
    for (const metric of passRates) expect(metric?.verdict).toMatch(/Holm-adjusted/);
    expect(passRates[1]?.verdict).toMatch(/(C passes (more|fewer) cases than A|between C and A)/);
  });

  it("with repeats: stability per variant, pass rate as the share of repeats, compared by bootstrap", () => {
    const results: LoadedResult[] = [];
    for (let index = 0; index < 60; index++) {
      for (let repeat = 0; repeat < 3; repeat++) {
        // A flips on every fifth case; B is stable.
        const passA = index % 5 === 0 ? repeat !== 1 : index % 2 === 0;
        results.push(result(0, index, { repeat, pass: passA, outputHash: index % 5 === 0 ? `h-${repeat}` : "same" }));
        results.push(result(1, index, { repeat, pass: index % 2 === 0, outputHash: "same" }));
      }
    }
    const comparison = computeComparison(data(2, cases(60), results), fast);
    const [statsA, statsB] = comparison.stats;
    expect(statsA?.stability).toMatchObject({ cases: 60, flipping: 12, identicalOutputs: 48 });
    expect(statsB?.stability).toMatchObject({ cases: 60, flipping: 0, identicalOutputs: 60 });
    expect(statsA?.passRate?.method).toBe("bootstrap");
    expect(comparison.pairs[0]?.metrics.find((metric) => metric.metric === "passRate")?.method).toMatch(/bootstrap/);
    expect(comparison.cases.columns[0]?.repeats[0]).toBe(3);
    expect(comparison.cases.columns[0]?.pass[0]).toBeCloseTo(2 / 3, 3);
    expect(comparison.notes.join(" ")).toContain("Cases have repeats");
  });

  it("lays out cases in suite order with tags, marks cases not every variant ran, and breaks down by tag", () => {
    const caseList = cases(40, (index) => (index % 2 === 0 ? ["even"] : ["odd", "hard"])).reverse();
    const results: LoadedResult[] = [];
    caseList.forEach((item, caseIndex) => {
      const position = item.position;
      results.push(result(0, caseIndex, { pass: position % 2 === 0 }));
      if (position < 36) results.push(result(1, caseIndex, { pass: true }));
    });
    const comparison = computeComparison(data(2, caseList, results), fast);
    expect(comparison.cases.keys[0]).toBe("case-0000");
    expect(comparison.cases.positions.slice(0, 3)).toEqual([0, 1, 2]);
    expect(comparison.cases.analysed.filter(Boolean)).toHaveLength(36);
    expect(comparison.incompleteCases).toBe(4);
    expect(comparison.cases.tagNames.sort()).toEqual(["even", "hard", "odd"]);
    const odd = comparison.pairs[0]?.tags.find((row) => row.tag === "odd");
    expect(odd).toMatchObject({ cases: 18, diff: 1 });
    expect(odd?.passRateA?.estimate).toBe(0);
    expect(odd?.adjustedP).toBeGreaterThanOrEqual(odd?.pValue as number);
    expect(comparison.notes.join(" ")).toContain("4 cases are left out of the statistics");
  });

  it("keeps the latency ECDF small and ascending", () => {
    const results: LoadedResult[] = [];
    for (let index = 0; index < 3000; index++) {
      results.push(result(0, index, { latencyMs: 100 + index }));
      results.push(result(1, index, { latencyMs: 3100 - index }));
    }
    const comparison = computeComparison(data(2, cases(3000), results), fast);
    const series = comparison.latencyEcdf[0];
    expect(series?.x.length).toBeLessThanOrEqual(240);
    expect(series?.x[0]).toBe(100);
    expect(series?.y.at(-1)).toBe(1);
    expect([...(series?.x ?? [])].sort((a, b) => a - b)).toEqual(series?.x);
  });

  it("A/A: over 1,000 comparisons of identical variants, p < 0.05 for latency in 3–7 % and for pass rate at most 7 %", () => {
    const rng = createRng(72);
    let latencyRejections = 0;
    let passRejections = 0;
    const simulations = 1000;
    for (let simulation = 0; simulation < simulations; simulation++) {
      const results: LoadedResult[] = [];
      for (let index = 0; index < 60; index++) {
        // The case decides most of the outcome, as in real suites; the variants are the same model.
        const difficulty = rng.next();
        for (const variantIndex of [0, 1]) {
          const pass = rng.next() < 0.3 + 0.6 * difficulty;
          results.push(result(variantIndex, index, { pass, score: pass ? 1 : 0, latencyMs: Math.exp(6 + 0.5 * rng.nextNormal()) }));
        }
      }
      const comparison = computeComparison(data(2, cases(60), results), { resamples: 50, seed: simulation });
      const metrics = comparison.pairs[0]?.metrics ?? [];
      if ((metrics.find((metric) => metric.metric === "latency")?.pValue ?? 1) < 0.05) latencyRejections++;
      if ((metrics.find((metric) => metric.metric === "passRate")?.pValue ?? 1) < 0.05) passRejections++;
    }
    expect(latencyRejections / simulations).toBeGreaterThanOrEqual(0.03);
    expect(latencyRejections / simulations).toBeLessThanOrEqual(0.07);
    expect(passRejections / simulations).toBeLessThanOrEqual(0.07);
    expect(passRejections / simulations).toBeGreaterThan(0.01);
  }, 60_000);
});
