import { db } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import {
  hodgesLehmannInterval, holm, mannWhitneyU, mcnemarExact, normalCdf, normalQuantile, pairedBootstrapMeanDiff,
  percentileInterval, quantileOfSorted, signTest, sortedCopy, wilsonInterval,
} from "../stats/index.ts";
import { formatCount, formatNumber, formatPercent } from "../format.ts";
import { evaluateGuards, type GuardArmSample } from "./guards.ts";
import { preferenceOf } from "./interleave.ts";
import { EVERYONE, type ReleaseConfig, type ReleaseMode } from "./schema.ts";
import { checkSampleRatio, expectedShares, SRM_GRACE_MS } from "./srm.ts";
import { stagesOf } from "./stages.ts";
import type {
  AbVerdict, ArmFigures, GuardStatus, InterleavingVerdict, Interval, ReleaseFigures, RingFigures, ShadowComparison, StageProgress,
} from "./types.ts";

// Per-arm figures, guards, SRM and verdicts of a release, from the stored Calls (so every replica's traffic counts).
// Counts, rates, means and TTFT percentiles are SQL aggregates over every call; latency figures and the latency guard
// use the latest LATENCY_CAP successful calls of each arm (ArmFigures.latencySample says how many), and the shadow
// comparison the latest SHADOW_CAP pairs. The monitor asks for `decisionsOnly` figures every 2 s: everything the
// decisions need, without the bootstrap intervals and the ECDF the page draws.

export const LATENCY_CAP = 20_000;
export const SHADOW_CAP = 20_000;
const ECDF_POINTS = 200;
const BOOTSTRAP_RESAMPLES = 1_000;
const VERDICT_ALPHA = 0.05;

export interface FiguresOptions {
  /** skip what only the page shows (bootstrap intervals, ECDF, shadow bootstrap): the monitor's tick */
  decisionsOnly?: boolean;
  /** the clock, for held minutes (tests) */
  now?: Date;
}

interface ArmRow {
  arm: string;
  shadow: boolean;
  calls: number;
  sticky: number;
  anonymous: number;
  users: number;
  errors: number;
  scored: number;
  passed: number;
  costSum: number | null;
  costCount: number;
  costVariance: number | null;
  ttftP50: number | null;
  ttftP95: number | null;
  interleaved: number;
}

interface FeedbackRow {
  arm: string;
  count: number;
  mean: number;
  variance: number | null;
}

const nullInterval: Interval = { value: null, low: null, high: null };

function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function interval(value: number | null | undefined, low: number | null | undefined, high: number | null | undefined): Interval {
  return { value: finiteOrNull(value), low: finiteOrNull(low), high: finiteOrNull(high) };
}

export async function computeReleaseFigures(releaseId: string, options: FiguresOptions = {}): Promise<ReleaseFigures> {
  const now = options.now ?? new Date();
  const release = await db.release.findUnique({
    where: { id: releaseId },
    include: { arms: { orderBy: { position: "asc" }, select: { name: true, versionId: true, version: { select: { number: true } } } } },
  });
  if (!release) throw new Error(`computeReleaseFigures: no release ${releaseId}`);
  // Written by createRelease from completeConfig (lib/releases/service.ts configOf reads it the same way).
  const config = release.config as unknown as ReleaseConfig;
  const mode = release.mode as ReleaseMode;
  const stages = stagesOf(mode, config);
  const stage = stages[Math.min(release.stage, stages.length - 1)]!;
  const armNames = release.arms.map((arm) => arm.name);
  const stableName = armNames[0] ?? "stable";
  const candidates = armNames.slice(1);

  const [armRows, feedbackRows, ringRows, interactionRows, srmRows, stageCalls, latencies] = await Promise.all([
    db.$queryRaw<ArmRow[]>`
      SELECT arm, shadow,
        count(*)::int AS calls,
        count(*) FILTER (WHERE "userKeyHash" IS NOT NULL)::int AS sticky,
        count(*) FILTER (WHERE "userKeyHash" IS NULL)::int AS anonymous,
        count(DISTINCT "userKeyHash")::int AS users,
        count(*) FILTER (WHERE error IS NOT NULL AND error <> 'null'::jsonb)::int AS errors,
        count(passed)::int AS scored,
        count(*) FILTER (WHERE passed)::int AS passed,
        sum(cost) AS "costSum", count(cost)::int AS "costCount", var_samp(cost) AS "costVariance",
        percentile_cont(0.5) WITHIN GROUP (ORDER BY "ttftMs") AS "ttftP50",
        percentile_cont(0.95) WITHIN GROUP (ORDER BY "ttftMs") AS "ttftP95",
        count(attribution)::int AS interleaved
      FROM "Call" WHERE "releaseId" = ${releaseId} AND arm IS NOT NULL
      GROUP BY arm, shadow`,
    // Feedback names the answering call (x-assay-call-id, its Call.id); a groupId is accepted too.
    db.$queryRaw<FeedbackRow[]>`
      SELECT c.arm, count(*)::int AS count, avg(f.score) AS mean, var_samp(f.score) AS variance
      FROM "GatewayFeedback" f JOIN "Call" c ON (c.id = f."callId" OR c."groupId" = f."callId")
      WHERE c."releaseId" = ${releaseId} AND NOT c.shadow AND c.arm IS NOT NULL AND f."workspaceId" = ${release.workspaceId}
      GROUP BY c.arm`,
    db.$queryRaw<{ ring: string | null; arm: string; calls: number }[]>`
      SELECT ring, arm, count(*)::int AS calls FROM "Call"
      WHERE "releaseId" = ${releaseId} AND NOT shadow AND arm IS NOT NULL GROUP BY ring, arm`,
    mode === "interleaved"
      ? db.$queryRaw<{ id: string; attribution: unknown; items: number[] }[]>`
          SELECT c.id, c.attribution, array_agg(i.item) AS items
          FROM "GatewayInteraction" i JOIN "Call" c ON c.id = i."callId"
          WHERE c."releaseId" = ${releaseId} AND NOT c.shadow AND c.attribution IS NOT NULL AND i."workspaceId" = ${release.workspaceId}
          GROUP BY c.id, c.attribution`
      : Promise.resolve([]),
    srmUnits(releaseId, mode, config, stage.ring, stage.ringIndex, release.stageStartedAt),
    release.stageStartedAt
      ? db.$queryRaw<{ calls: number }[]>`
          SELECT count(*)::int AS calls FROM "Call"
          WHERE "releaseId" = ${releaseId} AND "createdAt" >= ${release.stageStartedAt} AND arm IS NOT NULL AND arm <> ${stableName}
            AND (${mode === "shadow"} OR NOT shadow)`
      : Promise.resolve([{ calls: 0 }]),
    Promise.all(
      armNames.map(
        // One row holding an array, not up to LATENCY_CAP rows: the monitor runs this every 2 s in the web process,
        // and turning 20,000 rows into objects blocked the gateway's event loop for tens of ms (its p99).
        (arm) => db.$queryRaw<{ latencies: number[] | null }[]>`
          SELECT array_agg(t."latencyMs") AS latencies FROM (
            SELECT "latencyMs" FROM "Call"
            WHERE "releaseId" = ${releaseId} AND arm = ${arm} AND NOT shadow AND (error IS NULL OR error = 'null'::jsonb) AND "latencyMs" IS NOT NULL
            ORDER BY "createdAt" DESC LIMIT ${LATENCY_CAP}
          ) t`,
      ),
    ),
  ]);

  const answering = new Map(armRows.filter((row) => !row.shadow).map((row) => [row.arm, row]));
  const shadowRows = new Map(armRows.filter((row) => row.shadow).map((row) => [row.arm, row]));
  const feedback = new Map(feedbackRows.map((row) => [row.arm, row]));
  const latencyOf = new Map(armNames.map((arm, index) => [arm, (latencies[index]![0]?.latencies ?? []).map(Number)]));

  // Interactions credited per arm through the stored attribution, and each request's preference.
  const credited = new Map<string, number>();
  let candidateWins = 0;
  let stableWins = 0;
  for (const row of interactionRows) {
    const attribution = Array.isArray(row.attribution) ? (row.attribution as unknown[]).map(String) : [];
    for (const item of new Set(row.items)) {
      const arm = attribution[item];
      if (arm) credited.set(arm, (credited.get(arm) ?? 0) + 1);
    }
    const preference = preferenceOf(attribution, row.items, stableName, candidates[0] ?? "candidate");
    if (preference > 0) candidateWins++;
    else if (preference < 0) stableWins++;
  }

  const arms: ArmFigures[] = release.arms.map((arm) => {
    const row = answering.get(arm.name);
    const calls = row?.calls ?? 0;
    const errors = row?.errors ?? 0;
    const wilsonErrors = wilsonInterval(errors, calls);
    const sample = latencyOf.get(arm.name) ?? [];
    const sorted = sortedCopy(sample);
    const p95 =
      options.decisionsOnly || sample.length === 0
        ? { estimate: quantileOfSorted(sorted, 0.95), low: Number.NaN, high: Number.NaN }
        : percentileInterval(sample, 0.95, { resamples: BOOTSTRAP_RESAMPLES });
    const scored = row?.scored ?? 0;
    const passed = row?.passed ?? 0;
    const fb = feedback.get(arm.name);
    return {
      arm: arm.name,
      versionId: arm.versionId,
      versionNumber: arm.version.number,
      calls,
      sticky: row?.sticky ?? 0,
      anonymous: row?.anonymous ?? 0,
      users: row?.users ?? 0,
      shadowCalls: shadowRows.get(arm.name)?.calls ?? 0,
      errors,
      errorRate: calls === 0 ? nullInterval : interval(errors / calls, wilsonErrors.low, wilsonErrors.high),
      latencyMs: {
        p50: finiteOrNull(quantileOfSorted(sorted, 0.5)),
        p95: finiteOrNull(quantileOfSorted(sorted, 0.95)),
        p99: finiteOrNull(quantileOfSorted(sorted, 0.99)),
        p95Interval: interval(p95.estimate, p95.low, p95.high),
        ecdf: options.decisionsOnly ? [] : ecdfPoints(sorted),
      },
      latencySample: { used: sample.length, cap: LATENCY_CAP },
      ttftMs: { p50: finiteOrNull(row?.ttftP50), p95: finiteOrNull(row?.ttftP95) },
      passRate: scored === 0 ? null : { ...interval(passed / scored, wilsonInterval(passed, scored).low, wilsonInterval(passed, scored).high), scored, passed },
      feedback: fb && fb.count > 0 ? { ...meanInterval(fb.count, fb.mean, fb.variance), count: fb.count } : null,
      costPer1000: row && row.costCount > 0 && row.costSum !== null ? (row.costSum / row.costCount) * 1000 : null,
      interactions: credited.get(arm.name) ?? 0,
    };
  });

  const sampleOf = (arm: string): GuardArmSample => {
    const row = answering.get(arm);
    const fb = feedback.get(arm);
    return {
      calls: row?.calls ?? 0,
      errors: row?.errors ?? 0,
      scored: row?.scored ?? 0,
      passed: row?.passed ?? 0,
      feedback: fb && fb.count > 0 ? { count: fb.count, mean: fb.mean, variance: fb.variance ?? 0 } : null,
      latencies: latencyOf.get(arm) ?? [],
    };
  };
  // Shadow releases compare the candidate's shadow calls with stable's answers: the guards see the shadow arm.
  const shadowSampleOf = (arm: string): GuardArmSample => {
    const row = shadowRows.get(arm);
    return { calls: row?.calls ?? 0, errors: row?.errors ?? 0, scored: row?.scored ?? 0, passed: row?.passed ?? 0, feedback: null, latencies: [] };
  };
  const guards: GuardStatus[] =
    mode === "interleaved"
      ? []
      : candidates.flatMap((arm) =>
          evaluateGuards(config.guards, arm, mode === "shadow" ? shadowSampleOf(arm) : sampleOf(arm), sampleOf(stableName), {
            candidateArms: candidates.length,
            // The monitor needs the shift only when the evidence has crossed (a breach needs both).
            withShift: !options.decisionsOnly,
          }).map((status) =>
            mode === "shadow" && (status.name === "latency" || status.name === "feedback")
              ? { ...status, status: "waiting" as const, message: "Not guarded in shadow mode: the candidate never answers, so its latency and feedback cannot hurt anyone." }
              : status,
          ),
        );

  const observed = Object.fromEntries(armNames.map((arm) => [arm, srmRows.find((row) => row.arm === arm)?.units ?? 0]));
  const srm =
    release.stageStartedAt === null
      ? checkSampleRatio(null, observed)
      : checkSampleRatio(expectedShares(mode, armNames, stage, config.split), observed);

  const rings: RingFigures[] = [];
  for (const row of ringRows) {
    const ring = row.ring ?? EVERYONE;
    let entry = rings.find((figures) => figures.ring === ring);
    if (!entry) rings.push((entry = { ring, calls: {} }));
    entry.calls[row.arm] = (entry.calls[row.arm] ?? 0) + row.calls;
  }
  const ringOrder = [...config.rings.map((ring) => ring.name), EVERYONE];
  rings.sort((a, b) => ringOrder.indexOf(a.ring) - ringOrder.indexOf(b.ring));

  const heldMinutes = release.stageStartedAt ? Math.max(0, (now.getTime() - release.stageStartedAt.getTime()) / 60_000) : 0;
  const candidateCalls = stageCalls[0]?.calls ?? 0;
  const stageProgress: StageProgress = {
    heldMinutes,
    minMinutes: config.hold.minMinutes,
    candidateCalls,
    minCalls: config.hold.minCalls,
    // Guards still waiting for data do not hold a stage back (the hold's minimum calls sizes the stage); a breach does,
    // and so does a sample ratio mismatch.
    ready:
      release.state === "running" &&
      heldMinutes >= config.hold.minMinutes &&
      candidateCalls >= config.hold.minCalls &&
      guards.every((status) => status.status !== "breach") &&
      srm.status !== "mismatch",
  };

  return {
    computedAt: now.toISOString(),
    arms,
    rings,
    guards,
    srm,
    ab: mode === "ab" && !options.decisionsOnly ? abVerdicts(candidates, stableName, sampleOf, answering, config) : [],
    shadow: mode === "shadow" ? await shadowComparison(releaseId, Boolean(options.decisionsOnly)) : null,
    interleaving:
      mode === "interleaved"
        ? interleavingVerdict(answering.get(stableName)?.interleaved ?? 0, candidateWins, stableWins)
        : null,
    stage: stageProgress,
  };
}

/** SRM units of the current stage: distinct user keys plus anonymous calls per arm (lib/releases/srm.ts). */
async function srmUnits(
  releaseId: string,
  mode: ReleaseMode,
  config: ReleaseConfig,
  ring: string,
  ringIndex: number,
  stageStartedAt: Date | null,
): Promise<{ arm: string; units: number }[]> {
  if (!stageStartedAt || (mode !== "canary" && mode !== "ab")) return [];
  const since = new Date(stageStartedAt.getTime() + SRM_GRACE_MS);
  // Canary: the current ring only (rings passed are all candidate). A/B: every open ring.
  const rings = mode === "canary" ? [ring] : [...config.rings.slice(0, ringIndex + 1).map((r) => r.name), ...(ringIndex >= config.rings.length ? [EVERYONE] : [])];
  return db.$queryRaw<{ arm: string; units: number }[]>`
    SELECT arm, (count(DISTINCT "userKeyHash") + count(*) FILTER (WHERE "userKeyHash" IS NULL))::int AS units
    FROM "Call"
    WHERE "releaseId" = ${releaseId} AND NOT shadow AND arm IS NOT NULL AND "createdAt" >= ${since}
      AND coalesce(ring, ${EVERYONE}) IN (${Prisma.join(rings)})
    GROUP BY arm`;
}

/** At most ECDF_POINTS steps of the empirical distribution: [latency, share at or below]. */
function ecdfPoints(sorted: Float64Array): [number, number][] {
  const n = sorted.length;
  if (n === 0) return [];
  const points: [number, number][] = [];
  const count = Math.min(ECDF_POINTS, n);
  for (let k = 1; k <= count; k++) {
    const index = Math.ceil((k / count) * n) - 1;
    points.push([sorted[index] as number, (index + 1) / n]);
  }
  return points;
}

/** Mean of 0–1 scores with a normal 95 % interval (clipped to [0, 1]); one score: the whole range. */
function meanInterval(count: number, mean: number, variance: number | null): Interval {
  if (count < 2 || variance === null) return interval(mean, 0, 1);
  const half = normalQuantile(0.975) * Math.sqrt(variance / count);
  return interval(mean, Math.max(0, mean - half), Math.min(1, mean + half));
}

function twoSided(z: number): number {
  return Number.isFinite(z) ? Math.min(1, 2 * normalCdf(-Math.abs(z))) : 1;
}

/**
 * A/B verdicts per candidate arm and metric (fixed-horizon tests, read when the experiment is stopped; the guards are
 * the sequential safety net meanwhile): differences candidate − stable with 95 % intervals, p-values Holm-corrected
 * across candidate arms per metric when there are several candidates.
 */
function abVerdicts(
  candidates: string[],
  stableName: string,
  sampleOf: (arm: string) => GuardArmSample,
  answering: Map<string, ArmRow>,
  config: ReleaseConfig,
): AbVerdict[] {
  const z = normalQuantile(0.975);
  const stable = sampleOf(stableName);
  const stableRow = answering.get(stableName);
  const min = config.guards.minCalls;
  const metrics = ["errorRate", "latency", "passRate", "feedback", "costPer1000"] as const;
  // For each metric, higher is better (+1) or lower is better (−1).
  const better: Record<(typeof metrics)[number], 1 | -1> = { errorRate: -1, latency: -1, passRate: 1, feedback: 1, costPer1000: -1 };
  const rows: (AbVerdict & { raw: number | null })[] = [];
  for (const arm of candidates) {
    const candidate = sampleOf(arm);
    const row = answering.get(arm);
    const proportions = (x1: number, n1: number, x0: number, n0: number) => {
      const p1 = x1 / n1;
      const p0 = x0 / n0;
      const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
      const pooled = (x1 + x0) / (n1 + n0);
      const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
      return { diff: p1 - p0, low: p1 - p0 - z * se, high: p1 - p0 + z * se, p: sePooled > 0 ? twoSided((p1 - p0) / sePooled) : 1 };
    };
    const welch = (n1: number, m1: number, v1: number, n0: number, m0: number, v0: number) => {
      const se = Math.sqrt(v1 / n1 + v0 / n0);
      return { diff: m1 - m0, low: m1 - m0 - z * se, high: m1 - m0 + z * se, p: se > 0 ? twoSided((m1 - m0) / se) : 1 };
    };
    for (const metric of metrics) {
      let result: { diff: number; low: number; high: number; p: number } | null = null;
      let scale = 1;
      if (metric === "errorRate" && Math.min(candidate.calls, stable.calls) >= min) {
        result = proportions(candidate.errors, candidate.calls, stable.errors, stable.calls);
      } else if (metric === "latency" && Math.min(candidate.latencies.length, stable.latencies.length) >= min) {
        const hl = hodgesLehmannInterval(stable.latencies, candidate.latencies);
        result = { diff: hl.estimate, low: hl.low, high: hl.high, p: mannWhitneyU(candidate.latencies, stable.latencies).pValue };
      } else if (metric === "passRate" && Math.min(candidate.scored, stable.scored) >= min) {
        result = proportions(candidate.passed, candidate.scored, stable.passed, stable.scored);
      } else if (metric === "feedback" && candidate.feedback && stable.feedback && Math.min(candidate.feedback.count, stable.feedback.count) >= 2) {
        const c = candidate.feedback;
        const s = stable.feedback;
        result = welch(c.count, c.mean, c.variance, s.count, s.mean, s.variance);
      } else if (metric === "costPer1000" && row && stableRow && Math.min(row.costCount, stableRow.costCount) >= min && row.costSum !== null && stableRow.costSum !== null) {
        scale = 1000;
        result = welch(row.costCount, row.costSum / row.costCount, row.costVariance ?? 0, stableRow.costCount, stableRow.costSum / stableRow.costCount, stableRow.costVariance ?? 0);
      }
      rows.push({
        arm,
        metric,
        difference: result ? interval(result.diff * scale, result.low * scale, result.high * scale) : nullInterval,
        pValue: result ? result.p : null,
        adjustedPValue: result ? result.p : null,
        verdict: "too few calls",
        raw: result ? result.diff : null,
      });
    }
  }
  for (const metric of metrics) {
    const tested = rows.filter((row) => row.metric === metric && row.pValue !== null);
    const adjusted = candidates.length > 1 && tested.length > 0 ? holm(tested.map((row) => row.pValue!)) : tested.map((row) => row.pValue!);
    tested.forEach((row, index) => {
      row.adjustedPValue = adjusted[index]!;
      row.verdict =
        row.adjustedPValue < VERDICT_ALPHA ? (Math.sign(row.raw ?? 0) === better[metric] ? "better" : "worse") : "no detectable difference";
    });
  }
  return rows.map((row) => ({ arm: row.arm, metric: row.metric, difference: row.difference, pValue: row.pValue, adjustedPValue: row.adjustedPValue, verdict: row.verdict }));
}

/** Shadow: stable's answer and the candidate's shadow call of the same request, paired by groupId. */
async function shadowComparison(releaseId: string, decisionsOnly: boolean): Promise<ShadowComparison> {
  const pairs = await db.$queryRaw<
    { stablePassed: boolean | null; shadowPassed: boolean | null; stableScore: number | null; shadowScore: number | null; stableLatency: number | null; shadowLatency: number | null }[]
  >`
    SELECT a.passed AS "stablePassed", s.passed AS "shadowPassed",
      (a.evaluation->>'score')::float8 AS "stableScore", (s.evaluation->>'score')::float8 AS "shadowScore",
      a."latencyMs" AS "stableLatency", s."latencyMs" AS "shadowLatency"
    FROM "Call" s JOIN "Call" a ON a."groupId" = s."groupId" AND NOT a.shadow AND a."releaseId" = ${releaseId}
    WHERE s."releaseId" = ${releaseId} AND s.shadow
    ORDER BY s."createdAt" DESC LIMIT ${SHADOW_CAP}`;
  const scored = pairs.filter((pair) => pair.stablePassed !== null && pair.shadowPassed !== null);
  const candidateOnly = scored.filter((pair) => pair.shadowPassed && !pair.stablePassed).length;
  const stableOnly = scored.filter((pair) => pair.stablePassed && !pair.shadowPassed).length;
  const withScores = pairs.filter((pair) => pair.stableScore !== null && pair.shadowScore !== null);
  const scoreDifference =
    withScores.length === 0
      ? nullInterval
      : decisionsOnly
        ? interval(withScores.reduce((sum, pair) => sum + pair.shadowScore! - pair.stableScore!, 0) / withScores.length, null, null)
        : (() => {
            const result = pairedBootstrapMeanDiff(withScores.map((pair) => pair.stableScore!), withScores.map((pair) => pair.shadowScore!), { resamples: BOOTSTRAP_RESAMPLES });
            return interval(result.diff, result.low, result.high);
          })();
  const timed = pairs.filter((pair) => pair.stableLatency !== null && pair.shadowLatency !== null);
  const latency = timed.length === 0 || decisionsOnly ? null : hodgesLehmannInterval(timed.map((pair) => pair.stableLatency!), timed.map((pair) => pair.shadowLatency!));
  const pValue = scored.length === 0 ? null : mcnemarExact(candidateOnly, stableOnly).pValue;
  const verdict =
    scored.length === 0
      ? `${formatCount(pairs.length)} shadow pairs, none scored on both sides yet.`
      : pValue! < VERDICT_ALPHA
        ? `The candidate ${candidateOnly > stableOnly ? "passes more often" : "fails more often"} than stable: ${formatCount(candidateOnly)} requests only it passed, ${formatCount(stableOnly)} only stable passed (McNemar p ${formatNumber(pValue!, 4)}).`
        : `No detectable difference in pass rate over ${formatCount(scored.length)} scored pairs (${formatCount(candidateOnly)} only the candidate passed, ${formatCount(stableOnly)} only stable; McNemar p ${formatNumber(pValue!, 3)}).`;
  return {
    pairs: pairs.length,
    scoredPairs: scored.length,
    candidateOnly,
    stableOnly,
    pValue,
    scoreDifference,
    latencyShiftMs: latency ? interval(latency.estimate, latency.low, latency.high) : nullInterval,
    verdict,
  };
}

function interleavingVerdict(requests: number, candidateWins: number, stableWins: number): InterleavingVerdict {
  const withPreference = candidateWins + stableWins;
  const pValue = withPreference === 0 ? null : signTest(candidateWins, stableWins).pValue;
  const verdict =
    pValue === null
      ? `${formatCount(requests)} interleaved requests, none with a preference yet.`
      : pValue < VERDICT_ALPHA
        ? `${candidateWins > stableWins ? "The candidate" : "Stable"} is preferred: ${formatPercent(Math.max(candidateWins, stableWins) / withPreference)} of ${formatCount(withPreference)} requests with a preference (sign test p ${formatNumber(pValue, 4)}).`
        : `No detectable preference over ${formatCount(withPreference)} requests with one (candidate ${formatCount(candidateWins)}, stable ${formatCount(stableWins)}; sign test p ${formatNumber(pValue, 3)}).`;
  return { requests, withPreference, candidateWins, stableWins, pValue, verdict };
}
