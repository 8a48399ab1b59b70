import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

// The release monitor against a real database: Release, arms and Call rows are written directly (createMany), then
// one deterministic tick (checkReleaseOnce) decides. Figures are checked against numbers worked out by hand.

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const { completeConfig, releaseConfigInput } = await import("../../lib/releases/schema.ts");
const { checkReleaseOnce } = await import("../../lib/releases/monitor.ts");
const { computeReleaseFigures } = await import("../../lib/releases/figures.ts");
const { settleReleaseWebhooks } = await import("../../lib/releases/webhook.ts");

const suffix = randomUUID().slice(0, 8);
let workspaceId: string;
const MINUTE = 60_000;

beforeAll(async () => {
  workspaceId = (await db.workspace.create({ data: { name: "Monitor", slug: `monitor-${suffix}` } })).id;
});

afterAll(async () => {
  await settleReleaseWebhooks();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.$disconnect();
});

/** A prompt with versions 1 and 2 and a running release of 2 (candidate) against 1 (stable). */
async function seedRelease(options: {
  mode: "canary" | "ab" | "shadow" | "interleaved";
  stage: number;
  stageStartedAt: Date;
  config?: Record<string, unknown>;
  /** arm names after stable; default ["candidate"] */
  candidates?: string[];
}) {
  const prompt = await db.prompt.create({ data: { workspaceId, name: `p-${randomUUID().slice(0, 8)}` } });
  const version = (number: number) =>
    db.promptVersion.create({ data: { promptId: prompt.id, number, messages: [{ role: "user", content: `v${number}` }], examples: [], counterexamples: [], params: {} } });
  const candidates = options.candidates ?? ["candidate"];
  const versions: { id: string }[] = [];
  for (let number = 1; number <= candidates.length + 1; number++) versions.push(await version(number));
  const v1 = versions[0]!;
  await db.promptLabel.create({ data: { promptId: prompt.id, name: "production", versionId: v1.id } });
  const config = completeConfig(releaseConfigInput.parse(options.config ?? {}), candidates.length + 1);
  const release = await db.release.create({
    data: {
      workspaceId,
      promptId: prompt.id,
      mode: options.mode,
      state: "running",
      salt: randomUUID().replace(/-/g, ""),
      config: config as object,
      stage: options.stage,
      stageStartedAt: options.stageStartedAt,
      startedAt: new Date(options.stageStartedAt.getTime() - 60 * MINUTE),
      arms: { create: ["stable", ...candidates].map((name, position) => ({ name, versionId: versions[position]!.id, position })) },
    },
  });
  return {
    releaseId: release.id,
    promptId: prompt.id,
    versions: Object.fromEntries(["stable", ...candidates].map((name, position) => [name, versions[position]!.id])) as Record<string, string>,
  };
}

interface CallSpec {
  arm: string;
  groupId?: string;
  passed?: boolean;
  score?: number;
  attribution?: string[];
  latencyMs?: number | null;
  error?: boolean;
  cost?: number | null;
  user?: string | null;
  shadow?: boolean;
  createdAt: Date;
  id?: string;
}

async function insertCalls(release: { releaseId: string; promptId: string; versions: Record<string, string> }, calls: CallSpec[]) {
  for (let start = 0; start < calls.length; start += 5_000) {
    await db.call.createMany({
      data: calls.slice(start, start + 5_000).map((call) => ({
        id: call.id ?? randomUUID(),
        workspaceId,
        groupId: call.groupId ?? randomUUID(),
        source: "gateway" as const,
        promptId: release.promptId,
        versionId: release.versions[call.arm]!,
        model: "fake",
        params: {},
        variables: {},
        messages: [],
        output: call.error ? "" : "ok",
        latencyMs: call.latencyMs === undefined ? 400 : call.latencyMs,
        cost: call.cost ?? null,
        ...(call.error ? { error: { status: 500, code: "server_error", type: "server_error", message: "boom" } } : {}),
        createdAt: call.createdAt,
        releaseId: release.releaseId,
        arm: call.arm,
        ring: "everyone",
        userKeyHash: call.user ?? null,
        shadow: call.shadow ?? false,
        ...(call.passed !== undefined ? { passed: call.passed, evaluation: { pass: call.passed, score: call.score ?? (call.passed ? 1 : 0), results: [] } } : {}),
        ...(call.attribution ? { attribution: call.attribution } : {}),
      })),
    });
  }
}

/**
 * Many calls at once, generated in SQL (createMany of 20,000 rows takes ~20 s here): anonymous, every
 * `errorEvery`-th failing (none by default), latencies 300–399 ms cycling, spread over the minute after `from` + 6 s (past the SRM grace).
 */
async function generateCalls(
  release: { releaseId: string; promptId: string; versions: Record<string, string> },
  arm: string,
  count: number,
  from: Date,
  options: { errorEvery?: number } = {},
) {
  await db.$executeRaw`
    INSERT INTO "Call" (id, "workspaceId", "groupId", source, "promptId", "versionId", model, params, variables, messages, output,
      "latencyMs", error, "createdAt", "releaseId", arm, ring, shadow)
    SELECT gen_random_uuid()::text, ${workspaceId}, gen_random_uuid()::text, 'gateway', ${release.promptId}, ${release.versions[arm]!}, 'fake',
      '{}'::jsonb, '{}'::jsonb, '[]'::jsonb, 'ok', 300 + (i % 100),
      CASE WHEN ${options.errorEvery ?? 0}::int > 0 AND i % ${options.errorEvery ?? 1}::int = 0 THEN '{"status":500}'::jsonb END,
      ${from}::timestamp + interval '6 seconds' + (i * interval '50 seconds') / ${count}::int,
      ${release.releaseId}, ${arm}, 'everyone', false
    FROM generate_series(0, ${count}::int - 1) AS i`;
}

/** `count` calls of one arm spread over the minute after `from`, latencies 300–399 ms cycling. */
function callsOf(arm: "stable" | "candidate", count: number, from: Date, options: { errorEvery?: number } = {}): CallSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    arm,
    latencyMs: 300 + (index % 100),
    error: options.errorEvery !== undefined && index % options.errorEvery === 0,
    createdAt: new Date(from.getTime() + 6_000 + Math.floor((index * 50_000) / count)),
  }));
}

describe("release monitor", () => {
  it("rolls back a candidate with 10 % errors in one tick, with the evidence stored and an automatic rolled_back event", async () => {
    const stageStartedAt = new Date(Date.now() - 2 * MINUTE);
    // Canary at 25 % (stage 2): stable 900 calls without errors, candidate 300 calls with every tenth failing.
    const release = await seedRelease({ mode: "canary", stage: 2, stageStartedAt });
    await insertCalls(release, [...callsOf("stable", 900, stageStartedAt), ...callsOf("candidate", 300, stageStartedAt, { errorEvery: 10 })]);

    const result = await checkReleaseOnce(release.releaseId);
    expect(result).toMatchObject({ checked: true, action: "rollback", changed: true });

    const stored = await db.release.findUniqueOrThrow({ where: { id: release.releaseId } });
    expect(stored.state).toBe("rolled_back");
    const reason = stored.reason as { kind: string; message: string; evidence: { guards: { name: string; arm: string; status: string; estimate: number; evidence: number; bound: number }[] } };
    expect(reason.kind).toBe("guard");
    expect(reason.message).toContain("The error rate guard on candidate breached.");
    expect(reason.message).toContain("errors 10.0% vs stable 0.0%");
    const [guard] = reason.evidence.guards;
    expect(guard).toMatchObject({ name: "errorRate", arm: "candidate", status: "breach" });
    expect(guard!.estimate).toBeCloseTo(0.1, 12);
    // α 0.05 over 4 enabled guards: bound log(1 / 0.0125) = 4.382
    expect(guard!.bound).toBeCloseTo(4.382, 3);
    expect(guard!.evidence).toBeGreaterThan(guard!.bound);

    const events = await db.releaseEvent.findMany({ where: { releaseId: release.releaseId, kind: "rolled_back" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.actorId).toBeNull();

    // The next tick sees a release that is no longer running and leaves it alone.
    expect(await checkReleaseOnce(release.releaseId)).toMatchObject({ checked: false, action: null });
  });

  it("pauses a 50/50 A/B whose assignment came out 52/48 over 20,000 calls, saying why", async () => {
    const stageStartedAt = new Date(Date.now() - 2 * MINUTE);
    const release = await seedRelease({ mode: "ab", stage: 0, stageStartedAt });
    await generateCalls(release, "stable", 10_400, stageStartedAt);
    await generateCalls(release, "candidate", 9_600, stageStartedAt);

    const result = await checkReleaseOnce(release.releaseId);
    expect(result).toMatchObject({ checked: true, action: "pause", changed: true });
    expect(result.figures!.srm.chiSquare).toBeCloseTo(32, 9);

    const stored = await db.release.findUniqueOrThrow({ where: { id: release.releaseId } });
    expect(stored.state).toBe("paused");
    const reason = stored.reason as { kind: string; message: string };
    expect(reason.kind).toBe("srm");
    expect(reason.message).toContain("Sample ratio mismatch: stable 52.0% (expected 50.0%), candidate 48.0% (expected 50.0%) over 20,000 units; chi-square 32.0");
    const events = await db.releaseEvent.findMany({ where: { releaseId: release.releaseId, kind: "srm_paused" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.actorId).toBeNull();
  });

  it("advances a healthy canary whose hold is met by exactly one stage", async () => {
    // Stage 2 (25 %) held 20 minutes (hold: 10 min, 100 candidate calls); 450 stable and 150 candidate calls, alike.
    const stageStartedAt = new Date(Date.now() - 20 * MINUTE);
    const release = await seedRelease({ mode: "canary", stage: 2, stageStartedAt });
    await insertCalls(release, [...callsOf("stable", 450, stageStartedAt), ...callsOf("candidate", 150, stageStartedAt)]);

    const result = await checkReleaseOnce(release.releaseId);
    expect(result.figures!.stage).toMatchObject({ candidateCalls: 150, minCalls: 100, minMinutes: 10, ready: true });
    expect(result.figures!.srm.status).toBe("ok");
    expect(result).toMatchObject({ checked: true, action: "advance", changed: true });
    const stored = await db.release.findUniqueOrThrow({ where: { id: release.releaseId } });
    expect(stored).toMatchObject({ state: "running", stage: 3 });
    const events = await db.releaseEvent.findMany({ where: { releaseId: release.releaseId, kind: "advanced" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.actorId).toBeNull();

    // The new stage has just started: not held yet, so the next tick does nothing.
    expect(await checkReleaseOnce(release.releaseId)).toMatchObject({ checked: true, action: null });
    expect((await db.release.findUniqueOrThrow({ where: { id: release.releaseId } })).stage).toBe(3);
  });

  it("does not advance a canary held 5 of 10 minutes", async () => {
    const stageStartedAt = new Date(Date.now() - 5 * MINUTE);
    const release = await seedRelease({ mode: "canary", stage: 2, stageStartedAt });
    await insertCalls(release, [...callsOf("stable", 450, stageStartedAt), ...callsOf("candidate", 150, stageStartedAt)]);
    const result = await checkReleaseOnce(release.releaseId);
    expect(result).toMatchObject({ checked: true, action: null });
    expect(result.figures!.stage.ready).toBe(false);
  });

  it("computes per-arm figures equal to the ones worked out by hand", async () => {
    const stageStartedAt = new Date(Date.now() - 2 * MINUTE);
    const release = await seedRelease({ mode: "canary", stage: 2, stageStartedAt });
    const at = (seconds: number) => new Date(stageStartedAt.getTime() + seconds * 1000);
    const stableIds = Array.from({ length: 10 }, () => randomUUID());
    // Stable: 10 calls, one an error; latencies of the 9 successes 100, 200, …, 900 ms; $0.002 each;
    // 6 calls from 3 users (u1 ×3, u2 ×2, u3 ×1), 4 anonymous.
    const users = ["u1", "u1", "u1", "u2", "u2", "u3", null, null, null, null];
    const stable: CallSpec[] = stableIds.map((id, index) => ({
      id,
      arm: "stable",
      latencyMs: index === 9 ? 50 : (index + 1) * 100,
      error: index === 9,
      cost: 0.002,
      user: users[index]!,
      createdAt: at(index + 1),
    }));
    // Candidate: 4 calls, latencies 300, 100, 200, 400 ms, costs $0.001, $0.003, unknown, $0.005; one shadow call.
    const candidate: CallSpec[] = [300, 100, 200, 400].map((latencyMs, index) => ({
      arm: "candidate",
      latencyMs,
      cost: [0.001, 0.003, null, 0.005][index]!,
      createdAt: at(20 + index),
    }));
    const shadow: CallSpec = { arm: "candidate", latencyMs: 999, shadow: true, createdAt: at(30) };
    await insertCalls(release, [...stable, ...candidate, shadow]);
    // Feedback on four of stable's answers: 1, 0, 1, 1.
    await db.gatewayFeedback.createMany({ data: [1, 0, 1, 1].map((score, index) => ({ workspaceId, callId: stableIds[index]!, score })) });

    const figures = await computeReleaseFigures(release.releaseId);
    const [stableFigures, candidateFigures] = figures.arms;
    expect(stableFigures).toMatchObject({ arm: "stable", calls: 10, sticky: 6, anonymous: 4, users: 3, shadowCalls: 0, errors: 1, interactions: 0 });
    // 1 of 10: Wilson 95 % [0.01788, 0.40416]
    expect(stableFigures!.errorRate.value).toBeCloseTo(0.1, 12);
    expect(stableFigures!.errorRate.low).toBeCloseTo(0.01788, 4);
    expect(stableFigures!.errorRate.high).toBeCloseTo(0.40416, 4);
    // Successes only: median of 100 … 900 is 500; p95 at position 7.6: 800 + 0.6 × 100 = 860
    expect(stableFigures!.latencyMs.p50).toBe(500);
    expect(stableFigures!.latencyMs.p95).toBeCloseTo(860, 9);
    expect(stableFigures!.latencySample).toEqual({ used: 9, cap: 20_000 });
    expect(stableFigures!.latencyMs.ecdf).toHaveLength(9);
    expect(stableFigures!.latencyMs.ecdf[0]).toEqual([100, 1 / 9]);
    // $0.002 × 1,000
    expect(stableFigures!.costPer1000).toBeCloseTo(2, 12);
    // (1 + 0 + 1 + 1) / 4
    expect(stableFigures!.feedback).toMatchObject({ count: 4, value: 0.75 });

    expect(candidateFigures).toMatchObject({ arm: "candidate", calls: 4, sticky: 0, anonymous: 4, shadowCalls: 1, errors: 0, feedback: null, passRate: null });
    expect(candidateFigures!.errorRate.value).toBe(0);
    // 100, 200, 300, 400: median 250 (the shadow call's 999 ms is not an answer)
    expect(candidateFigures!.latencyMs.p50).toBe(250);
    // ($0.001 + $0.003 + $0.005) / 3 known costs × 1,000
    expect(candidateFigures!.costPer1000).toBeCloseTo(3, 12);

    expect(figures.rings).toEqual([{ ring: "everyone", calls: { stable: 10, candidate: 4 } }]);
    // Too few calls for any guard: all four wait, per candidate arm.
    expect(figures.guards.map((guard) => [guard.name, guard.status])).toEqual([
      ["errorRate", "waiting"], ["latency", "waiting"], ["passRate", "waiting"], ["feedback", "waiting"],
    ]);
    expect(figures.stage).toMatchObject({ candidateCalls: 4, minCalls: 100, ready: false });
  });

  it("A/B verdicts per candidate arm, Holm-corrected over two candidates", async () => {
    const stageStartedAt = new Date(Date.now() - 2 * MINUTE);
    const release = await seedRelease({ mode: "ab", stage: 0, stageStartedAt, candidates: ["candidate", "candidate-2"] });
    // 1,000 calls each; errors: stable 50 (every 20th), candidate 100 (every 10th), candidate-2 55 (a batch of failures)
    await generateCalls(release, "stable", 1_000, stageStartedAt, { errorEvery: 20 });
    await generateCalls(release, "candidate", 1_000, stageStartedAt, { errorEvery: 10 });
    await generateCalls(release, "candidate-2", 945, stageStartedAt);
    await generateCalls(release, "candidate-2", 55, stageStartedAt, { errorEvery: 1 });
    const figures = await computeReleaseFigures(release.releaseId);
    expect(figures.arms.map((arm) => [arm.arm, arm.calls, arm.errors])).toEqual([["stable", 1000, 50], ["candidate", 1000, 100], ["candidate-2", 1000, 55]]);
    const errorRows = figures.ab.filter((row) => row.metric === "errorRate");
    // 10 % vs 5 %: pooled z = 0.05 / sqrt(0.075 · 0.925 · 2/1000) = 4.2448, p = 2.188e-5, Holm ×2 = 4.376e-5
    expect(errorRows[0]).toMatchObject({ arm: "candidate", verdict: "worse" });
    expect(errorRows[0]!.difference.value).toBeCloseTo(0.05, 12);
    expect(errorRows[0]!.difference.low).toBeCloseTo(0.05 - 0.022983, 5);
    expect(errorRows[0]!.pValue).toBeCloseTo(2.1882e-5, 8);
    expect(errorRows[0]!.adjustedPValue).toBeCloseTo(4.3765e-5, 8);
    // 5.5 % vs 5 %: z = 0.50129, p = 0.61617; Holm keeps it (rank 2 × 1, above the first's 4.4e-5)
    expect(errorRows[1]).toMatchObject({ arm: "candidate-2", verdict: "no detectable difference" });
    expect(errorRows[1]!.pValue).toBeCloseTo(0.61617, 4);
    expect(errorRows[1]!.adjustedPValue).toBeCloseTo(0.61617, 4);
    // Latencies from the same 300–399 ms cycle on every arm: no detectable difference.
    const latencyRows = figures.ab.filter((row) => row.metric === "latency");
    expect(latencyRows.map((row) => [row.arm, row.verdict])).toEqual([
      ["candidate", "no detectable difference"],
      ["candidate-2", "no detectable difference"],
    ]);
    // 2 candidates × 4 guards share α 0.05: 0.00625 each
    expect(figures.guards).toHaveLength(8);
    expect(figures.guards[0]!.alpha).toBeCloseTo(0.00625, 12);
    // The sequential guard is more careful than the fixed-horizon verdict: 10 % against 5 % over 1,000 calls gives
    // log Λ = 4.675 (d = 0.04 beyond the 1-point tolerance, V ≈ 1.39e-4), short of log(1 / 0.00625) = 5.075.
    const errorGuards = figures.guards.filter((guard) => guard.name === "errorRate");
    expect(errorGuards.map((guard) => [guard.arm, guard.status])).toEqual([
      ["candidate", "pass"],
      ["candidate-2", "pass"],
    ]);
    expect(errorGuards[0]!.bound).toBeCloseTo(5.0752, 4);
    // by hand: log 2 + ½ log(V / (V + τ²)) + τ²d² / (2V(V + τ²)) + log Φ(τd / √(V(V + τ²))) with V from (x + 1)/(n + 2)
    expect(errorGuards[0]!.evidence).toBeCloseTo(4.6752, 3);
  });

  it("shadow comparison pairs stable's answers with the shadow calls by groupId", async () => {
    const stageStartedAt = new Date(Date.now() - 2 * MINUTE);
    const release = await seedRelease({ mode: "shadow", stage: 0, stageStartedAt });
    const at = new Date(stageStartedAt.getTime() + 10_000);
    // Pairs (stable passed/score, shadow passed/score, stable ms, shadow ms):
    const pairs: [boolean, number, boolean, number, number, number][] = [
      [true, 1, true, 1, 100, 150],
      [true, 1, false, 0.5, 200, 260],
      [false, 0, true, 1, 300, 370],
      [true, 1, false, 0, 400, 480],
    ];
    const calls: CallSpec[] = pairs.flatMap(([stablePassed, stableScore, shadowPassed, shadowScore, stableMs, shadowMs]) => {
      const groupId = randomUUID();
      return [
        { arm: "stable", groupId, passed: stablePassed, score: stableScore, latencyMs: stableMs, createdAt: at },
        { arm: "candidate", groupId, passed: shadowPassed, score: shadowScore, latencyMs: shadowMs, shadow: true, createdAt: at },
      ];
    });
    await insertCalls(release, calls);
    const figures = await computeReleaseFigures(release.releaseId);
    // only the candidate passed: pair 3; only stable: pairs 2 and 4; McNemar exact: 1 of 3 discordant, p = 1
    expect(figures.shadow).toMatchObject({ pairs: 4, scoredPairs: 4, candidateOnly: 1, stableOnly: 2, pValue: 1 });
    // mean of (0, −0.5, +1, −1) = −0.125
    expect(figures.shadow!.scoreDifference.value).toBeCloseTo(-0.125, 12);
    // shifts 50, 60, 70, 80 ms on paired rows; HL over all 16 differences (shadow − stable): median of
    // {150,260,370,480} − {100,200,300,400} = median(50, −50, −150, −250, 160, 60, −40, −140, 270, 170, 70, −30, 380, 280, 180, 80) = 65
    expect(figures.shadow!.latencyShiftMs.value).toBe(65);
    expect(figures.arms[1]).toMatchObject({ arm: "candidate", calls: 0, shadowCalls: 4 });
    expect(figures.stage.candidateCalls).toBe(4);
  });

  it("interleaving credits interactions through the stored attribution and counts preferences", async () => {
    const stageStartedAt = new Date(Date.now() - 2 * MINUTE);
    const release = await seedRelease({ mode: "interleaved", stage: 0, stageStartedAt });
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const attribution = ["stable", "candidate", "stable"];
    await insertCalls(release, ids.map((id) => ({ id, arm: "stable", attribution, createdAt: new Date(stageStartedAt.getTime() + 10_000) })));
    // request 1 clicks item 1 (candidate); request 2 items 0 and 2 (stable ×2); request 3 items 1 and 0 (a tie);
    // request 4 nothing
    const clicks: [number, number][] = [[0, 1], [1, 0], [1, 2], [2, 1], [2, 0]];
    await db.gatewayInteraction.createMany({ data: clicks.map(([call, item]) => ({ workspaceId, callId: ids[call]!, item })) });
    const figures = await computeReleaseFigures(release.releaseId);
    expect(figures.interleaving).toMatchObject({ requests: 4, withPreference: 2, candidateWins: 1, stableWins: 1, pValue: 1 });
    expect(figures.arms.map((arm) => [arm.arm, arm.interactions])).toEqual([["stable", 3], ["candidate", 2]]);
    expect(figures.guards).toEqual([]);
  });
});
