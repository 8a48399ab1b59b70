import { describe, expect, it } from "vitest";
import { preferenceOf, teamDraft } from "../../../lib/releases/interleave.ts";
import { createRng, normalQuantile, sampleSizeForProportions, signTest, type Rng } from "../../../lib/stats/index.ts";

// Issue #11: "Interleaving simulation where the candidate's ranking is better: the verdict reaches significance, and
// the test reports how many requests A/B would have needed for the same power (expect several times more)."
//
// The world: queries, each with 30 documents of graded relevance 0–3 (the share of relevant ones varies by query). Stable and the candidate rank them by relevance
// plus noise (the candidate's noise is smaller: it ranks better) and return their top 10. Users follow a cascade with
// position bias: they read from the top, click a document with a probability that grows with its relevance (ERR's
// (2^g − 1)/2^3), stop after a click when satisfied, and otherwise read on with probability 0.8 — so lower positions
// are seen less. Seeded throughout: the numbers below are the same on every run.

const DOCUMENTS = 30;
const SHOWN = 10;
const QUERIES = 500;
const STABLE_NOISE = 1.3;
const CANDIDATE_NOISE = 1.0;
const READ_ON = 0.8;
const ALPHA = 0.05;
const POWER = 0.8;

interface Query {
  relevance: number[];
}

function makeQueries(rng: Rng): Query[] {
  // Queries differ in how much of the pool is relevant (2 % to 40 %): hard queries next to easy ones, as in real
  // traffic. Among relevant documents, grades 1, 2, 3 in proportions 60 : 28 : 12.
  return Array.from({ length: QUERIES }, () => {
    const share = 0.02 + 0.38 * rng.next();
    return {
      relevance: Array.from({ length: DOCUMENTS }, () => {
        if (rng.next() >= share) return 0;
        const draw = rng.next();
        return draw < 0.6 ? 1 : draw < 0.88 ? 2 : 3;
      }),
    };
  });
}

/** A ranking of document ids: relevance plus Gaussian noise, best first, top SHOWN. */
function rank(query: Query, noise: number, rng: Rng): number[] {
  return query.relevance
    .map((grade, id) => ({ id, key: grade + noise * rng.nextNormal() }))
    .sort((left, right) => right.key - left.key)
    .slice(0, SHOWN)
    .map((item) => item.id);
}

const attractiveness = (grade: number) => (2 ** grade - 1) / 8;

/** Positions clicked in `shown` (document ids) by one cascade user. */
function clicks(shown: readonly number[], query: Query, rng: Rng): number[] {
  const clicked: number[] = [];
  for (let position = 0; position < shown.length; position++) {
    const grade = query.relevance[shown[position]!]!;
    if (rng.next() < attractiveness(grade)) {
      clicked.push(position);
      // satisfied with the probability the document is good for
      if (rng.next() < attractiveness(grade)) break;
    }
    if (rng.next() >= READ_ON) break;
  }
  return clicked;
}

function interleavedRequest(queries: Query[], rng: Rng): -1 | 0 | 1 {
  const query = queries[rng.nextInt(queries.length)]!;
  const merged = teamDraft(
    { arm: "stable", items: rank(query, STABLE_NOISE, rng).map(String) },
    { arm: "candidate", items: rank(query, CANDIDATE_NOISE, rng).map(String) },
    () => rng.next() < 0.5,
  );
  const shown = merged.items.slice(0, SHOWN).map(Number);
  return preferenceOf(merged.attribution.slice(0, SHOWN), clicks(shown, query, rng), "stable", "candidate");
}

function interleavingExperiment(queries: Query[], requests: number, rng: Rng): { wins: number; losses: number; pValue: number } {
  let wins = 0;
  let losses = 0;
  for (let request = 0; request < requests; request++) {
    const preference = interleavedRequest(queries, rng);
    if (preference > 0) wins++;
    else if (preference < 0) losses++;
  }
  return { wins, losses, pValue: signTest(wins, losses).pValue };
}

/** A/B on click-through, per arm: the share of requests with at least one click, and with a click on the first result. */
function clickThrough(queries: Query[], noise: number, requests: number, rng: Rng): { any: number; first: number } {
  let any = 0;
  let first = 0;
  for (let request = 0; request < requests; request++) {
    const query = queries[rng.nextInt(queries.length)]!;
    const clicked = clicks(rank(query, noise, rng), query, rng);
    if (clicked.length > 0) any++;
    if (clicked[0] === 0) first++;
  }
  return { any: any / requests, first: first / requests };
}

describe("interleaving simulation (team draft, cascade clicks)", () => {
  const queries = makeQueries(createRng(11));

  it("finds the better ranking with a sign test, with several times fewer requests than an A/B test on click-through", { timeout: 60_000 }, () => {
    // 1. One interleaved experiment of 2,000 requests reaches significance for the candidate.
    const experiment = interleavingExperiment(queries, 2000, createRng(12));
    expect(experiment.wins).toBeGreaterThan(experiment.losses);
    expect(experiment.pValue).toBeLessThan(ALPHA);

    // 2. Requests interleaving needs for 80 % power: from the per-request preference rates (estimated on 50,000
    //    requests), the sign test's normal approximation, then raised until simulated experiments of that size reach the power.
    const large = interleavingExperiment(queries, 50_000, createRng(13));
    const withPreference = (large.wins + large.losses) / 50_000;
    const share = large.wins / (large.wins + large.losses);
    const preferences = ((normalQuantile(1 - ALPHA / 2) * 0.5 + normalQuantile(POWER) * Math.sqrt(share * (1 - share))) / (share - 0.5)) ** 2;
    // The exact sign test is a little conservative against the approximation: raise the size by 10 % steps until 300
    // simulated experiments reach 80 % power, so interleaving is not credited with power it does not have.
    const EXPERIMENTS = 300;
    const powerAt = (requests: number, seed: number) => {
      const powerRng = createRng(seed);
      let significant = 0;
      for (let index = 0; index < EXPERIMENTS; index++) {
        const run = interleavingExperiment(queries, requests, powerRng);
        if (run.pValue < ALPHA && run.wins > run.losses) significant++;
      }
      return significant / EXPERIMENTS;
    };
    let interleavingRequests = Math.ceil(preferences / withPreference);
    let simulatedPower = powerAt(interleavingRequests, 14);
    while (simulatedPower < POWER) {
      interleavingRequests = Math.ceil(interleavingRequests * 1.1);
      simulatedPower = powerAt(interleavingRequests, 14);
    }
    expect(simulatedPower).toBeGreaterThanOrEqual(POWER);

    // 3. A/B on click-through (the share of requests with any click, 100,000 requests per arm), and the requests a
    //    two-proportion test needs for the same power, both arms together. Click on the first result is printed too.
    const stable = clickThrough(queries, STABLE_NOISE, 100_000, createRng(15));
    const candidate = clickThrough(queries, CANDIDATE_NOISE, 100_000, createRng(16));
    expect(candidate.any).toBeGreaterThan(stable.any);
    const abRequests = 2 * sampleSizeForProportions(stable.any, candidate.any, { alpha: ALPHA, power: POWER });
    const abFirstRequests = 2 * sampleSizeForProportions(stable.first, candidate.first, { alpha: ALPHA, power: POWER });

    console.log(
      [
        `interleaving: ${(withPreference * 100).toFixed(1)} % of requests show a preference, ${(share * 100).toFixed(1)} % of those for the candidate`,
        `  requests for 80 % power: ${interleavingRequests} (simulated power ${(simulatedPower * 100).toFixed(1)} % over ${EXPERIMENTS} experiments)`,
        `A/B on click-through (any click): stable ${(stable.any * 100).toFixed(2)} %, candidate ${(candidate.any * 100).toFixed(2)} %`,
        `  requests for 80 % power: ${abRequests} (both arms) = ${(abRequests / interleavingRequests).toFixed(1)}× interleaving`,
        `A/B on click on the first result: stable ${(stable.first * 100).toFixed(2)} %, candidate ${(candidate.first * 100).toFixed(2)} %`,
        `  requests for 80 % power: ${abFirstRequests} (both arms) = ${(abFirstRequests / interleavingRequests).toFixed(1)}× interleaving`,
      ].join("\n"),
    );
    expect(abRequests).toBeGreaterThanOrEqual(3 * interleavingRequests);
  });

  it("finds no preference between two rankings of the same quality (the sign test holds its level)", { timeout: 60_000 }, () => {
    // A/A: both arms rank with the stable noise; over 400 experiments of 500 requests about 5 % are significant.
    const rng = createRng(21);
    let significant = 0;
    for (let index = 0; index < 400; index++) {
      let wins = 0;
      let losses = 0;
      for (let request = 0; request < 500; request++) {
        const query = queries[rng.nextInt(queries.length)]!;
        const merged = teamDraft(
          { arm: "stable", items: rank(query, STABLE_NOISE, rng).map(String) },
          { arm: "candidate", items: rank(query, STABLE_NOISE, rng).map(String) },
          () => rng.next() < 0.5,
        );
        const shown = merged.items.slice(0, SHOWN).map(Number);
        const preference = preferenceOf(merged.attribution.slice(0, SHOWN), clicks(shown, query, rng), "stable", "candidate");
        if (preference > 0) wins++;
        else if (preference < 0) losses++;
      }
      if (signTest(wins, losses).pValue < ALPHA) significant++;
    }
    expect(significant / 400).toBeLessThan(0.08);
  });
});
