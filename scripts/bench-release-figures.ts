// Times the release figures and one monitor tick on a release with 100,000 calls: `npm run bench:release-figures`.
// The monitor computes `decisionsOnly` figures for every running release every 2 s (ASSAY_RELEASE_MONITOR_MS), so
// that must stay well under 2 s; the full figures (bootstrap intervals, ECDF) are what GET /api/releases/:id and the
// page ask for. Starts an embedded PostgreSQL in a throwaway folder, seeds rows straight into the tables.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { migrate } from "../lib/db/migrate.ts";
import { freePort } from "../test/support/app-setup.ts";

const CALLS = Number(process.env.BENCH_CALLS ?? 100_000);
const TICK_TARGET_MS = 2_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const home = await mkdtemp(path.join(os.tmpdir(), "assay-bench-release-"));
  await chmod(home, 0o755);
  const database = await startEmbeddedPostgres({ dataDir: path.join(home, "pg"), port: await freePort(), database: "assay_bench_release" });
  try {
    process.env.DATABASE_URL = database.url;
    await migrate(database.url);
    const { db } = await import("../lib/db.ts");
    const { completeConfig, releaseConfigInput } = await import("../lib/releases/schema.ts");
    const { computeReleaseFigures } = await import("../lib/releases/figures.ts");
    const { checkReleaseOnce } = await import("../lib/releases/monitor.ts");

    const workspaceId = (await db.workspace.create({ data: { name: "Bench", slug: `bench-${randomUUID().slice(0, 8)}` } })).id;
    const prompt = await db.prompt.create({ data: { workspaceId, name: "bench" } });
    const version = (number: number) =>
      db.promptVersion.create({ data: { promptId: prompt.id, number, messages: [], examples: [], counterexamples: [], params: {} } });
    const [v1, v2] = [await version(1), await version(2)];
    const stageStartedAt = new Date(Date.now() - 3_600_000);
    // A 50/50 A/B, held an hour (auto-advance has nothing to do on an A/B's only stage): every figure is computed.
    const release = await db.release.create({
      data: {
        workspaceId, promptId: prompt.id, mode: "ab", state: "running", salt: randomBytes(8).toString("hex"),
        config: completeConfig(releaseConfigInput.parse({}), 2) as object, stage: 0, stageStartedAt, startedAt: stageStartedAt,
        arms: { create: [{ name: "stable", versionId: v1.id, position: 0 }, { name: "candidate", versionId: v2.id, position: 1 }] },
      },
    });
    const seedStarted = performance.now();
    // Half the calls per arm: 2 % errors, 80 % from 20,000 users, latencies 300–1,300 ms, cost, TTFT, scored.
    for (const [arm, versionId] of [["stable", v1.id], ["candidate", v2.id]] as const) {
      await db.$executeRaw`
        INSERT INTO "Call" (id, "workspaceId", "groupId", source, "promptId", "versionId", model, params, variables, messages, output,
          "latencyMs", "ttftMs", cost, error, passed, "createdAt", "releaseId", arm, ring, "userKeyHash", shadow)
        SELECT gen_random_uuid()::text, ${workspaceId}, gen_random_uuid()::text, 'gateway', ${prompt.id}, ${versionId}, 'fake',
          '{}'::jsonb, '{}'::jsonb, '[]'::jsonb, 'ok', 300 + random() * 1000, 50 + random() * 100, 0.0001 + random() * 0.0001,
          CASE WHEN random() < 0.02 THEN '{"status":500}'::jsonb END, random() < 0.9,
          ${stageStartedAt}::timestamp + interval '10 seconds' + (i * interval '3000 seconds') / ${CALLS}::int,
          ${release.id}, ${arm}, 'everyone', CASE WHEN random() < 0.8 THEN md5((i % 20000)::text || ${arm}) END, false
        FROM generate_series(0, ${CALLS / 2}::int - 1) AS i`;
    }
    await db.$executeRaw`
      INSERT INTO "GatewayFeedback" (id, "workspaceId", "callId", score, "createdAt")
      SELECT gen_random_uuid()::text, ${workspaceId}, id, CASE WHEN random() < 0.8 THEN 1 ELSE 0 END, now()
      FROM "Call" WHERE "releaseId" = ${release.id} AND random() < 0.05`;
    await db.$executeRaw`ANALYZE`;
    console.log(`Seeded ${CALLS.toLocaleString("en-US")} calls in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const time = async (label: string, runs: number, task: () => Promise<unknown>) => {
      await task(); // warm: the first run pays for plans and JIT
      const samples: number[] = [];
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        await task();
        samples.push(performance.now() - started);
      }
      console.log(`${label}: median ${median(samples).toFixed(0)} ms, max ${Math.max(...samples).toFixed(0)} ms over ${runs} runs`);
      return median(samples);
    };
    const decisions = await time("figures for the monitor (decisionsOnly)", 10, () => computeReleaseFigures(release.id, { decisionsOnly: true }));
    await time("full figures (API and page)", 5, () => computeReleaseFigures(release.id));
    const tick = await time("one monitor tick (lock, figures, decision)", 10, () => checkReleaseOnce(release.id));
    const result = await checkReleaseOnce(release.id);
    console.log(`decision: ${result.action ?? "none"}; SRM ${result.figures?.srm.status}; guards ${result.figures?.guards.map((g) => `${g.name} ${g.status}`).join(", ")}`);
    console.log(`monitor tick ${tick.toFixed(0)} ms vs the ${TICK_TARGET_MS} ms interval: ${(tick / TICK_TARGET_MS).toFixed(2)}× (decisions ${decisions.toFixed(0)} ms)`);
    await db.$disconnect();
  } finally {
    await database.stop();
    await rm(home, { recursive: true, force: true });
  }
}

await main();
