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
  mode: "canary" | "ab";
  stage: number;
  stageStartedAt: Date;
  config?: Record<string, unknown>;
}) {
  const prompt = await db.prompt.create({ data: { workspaceId, name: `p-${randomUUID().slice(0, 8)}` } });
  const version = (number: number) =>
    db.promptVersion.create({ data: { promptId: prompt.id, number, messages: [{ role: "user", content: `v${number}` }], examples: [], counterexamples: [], params: {} } });
  const v1 = await version(1);
  const v2 = await version(2);
  await db.promptLabel.create({ data: { promptId: prompt.id, name: "production", versionId: v1.id } });
  const config = completeConfig(releaseConfigInput.parse(options.config ?? {}), 2);
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
      arms: { create: [{ name: "stable", versionId: v1.id, position: 0 }, { name: "candidate", versionId: v2.id, position: 1 }] },
    },
  });
  return { releaseId: release.id, promptId: prompt.id, versions: { stable: v1.id, candidate: v2.id } };
}

interface CallSpec {
  arm: "stable" | "candidate";
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
        groupId: randomUUID(),
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
      })),
    });
  }
}

/**
 * Many calls at once, generated in SQL (createMany of 20,000 rows takes ~20 s here): anonymous, successful,
 * latencies 300–399 ms cycling, spread over the minute after `from` + 6 s (past the SRM grace).
 */
async function generateCalls(release: { releaseId: string; promptId: string; versions: Record<string, string> }, arm: "stable" | "candidate", count: number, from: Date) {
  await db.$executeRaw`
    INSERT INTO "Call" (id, "workspaceId", "groupId", source, "promptId", "versionId", model, params, variables, messages, output,
      "latencyMs", "createdAt", "releaseId", arm, ring, shadow)
    SELECT gen_random_uuid()::text, ${workspaceId}, gen_random_uuid()::text, 'gateway', ${release.promptId}, ${release.versions[arm]!}, 'fake',
      '{}'::jsonb, '{}'::jsonb, '[]'::jsonb, 'ok', 300 + (i % 100), ${from}::timestamp + interval '6 seconds' + (i * interval '50 seconds') / ${count}::int,
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
});
