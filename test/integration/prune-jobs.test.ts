import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import type { FakeOpenAI } from "../support/fake-openai-server.ts";
import { pruneFixture, PRUNE_CASES, type PruneFixture } from "../support/prune-fixture.ts";

// Example pruning as a background job (lib/prune/jobs.ts): started, it is stored at once and runs on; its progress
// (round k of at most n, what the current run tries) and finally its report are read back from the Pruning row; a
// cancel stops the current run through the run engine and ends the pruning "cancelled". Same seeded suite as
// prune.test.ts: two of four examples carry the effect.

process.env.DATABASE_URL = await isolatedDatabase("prune-jobs");
process.env.ASSAY_SECRET ??= "test-secret-for-prunejobs-0123456";

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const { cancelPruning, getPruning, startPruning, waitForPruning } = await import("../../lib/prune/jobs.ts");

let fixture: PruneFixture;
let fake: FakeOpenAI;
let workspaceId: string;
let userId: string;
let connectionId: string;
let suiteId: string;
let emptySuiteId: string;
let versionId: string;
let bareVersionId: string;

const CASES = PRUNE_CASES;

beforeAll(async () => {
  fixture = await pruneFixture({ extraModels: ["fake-slow"] });
  ({ fake, workspaceId, userId, connectionId, suiteId, emptySuiteId, versionId, bareVersionId } = fixture);
});

afterAll(async () => {
  await fixture?.close();
});

describe("example pruning as a background job", () => {
  it("is stored at once, reports its progress while it runs, and stores the report", async () => {
    const started = await startPruning(workspaceId, userId, { versionId, suiteId, connectionId, model: "fake-echo" }, { pollMs: 50 });
    expect(started).toMatchObject({ state: "running", versionId, suiteId, report: null, error: null });
    expect(started.progress).toMatchObject({ round: 1, maxRounds: 4, steps: [] });
    const seen = new Set<string>();
    for (let tries = 0; tries < 400; tries++) {
      const view = await getPruning(workspaceId, started.id);
      if (view.progress?.runId) seen.add(`${view.progress.round}:${view.progress.trying.length}`);
      if (view.state !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const done = await waitForPruning(workspaceId, started.id);
    expect(done.state).toBe("completed");
    expect(done.finishedAt).not.toBeNull();
    expect(done.report?.removed).toEqual(["example 4", "example 2"]);
    expect(done.report?.keepExamples).toEqual([0, 2]);
    expect(done.report?.prunedPassRate).toBe(1);
    // round 1 runs the full prompt and 4 removals, round 2 three, round 3 two, then full vs pruned (round null)
    expect(done.progress?.steps.map((step) => step.removed)).toEqual(["example 4", "example 2", null]);
    expect(done.progress).toMatchObject({ round: null, trying: ["full prompt", "without example 4, example 2"] });
    expect(seen.has("1:5")).toBe(true);
    const runs = await db.run.findMany({ where: { id: { in: done.report!.runIds } }, select: { status: true } });
    expect(runs.map((run) => run.status)).toEqual(["completed", "completed", "completed", "completed"]);
  });

  it("cancels: the current run is cancelled through the run engine and the pruning ends cancelled, with no report", async () => {
    const started = await startPruning(workspaceId, userId, { versionId, suiteId, connectionId, model: "fake-slow", concurrency: 2 }, { pollMs: 50 });
    let runId: string | null = null;
    for (let tries = 0; tries < 200 && !runId; tries++) {
      runId = (await getPruning(workspaceId, started.id)).progress?.runId ?? null;
      if (!runId) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(runId).not.toBeNull();
    await cancelPruning(workspaceId, started.id, userId);
    const done = await waitForPruning(workspaceId, started.id);
    expect(done).toMatchObject({ state: "cancelled", error: "Cancelled", report: null });
    expect((await db.run.findUniqueOrThrow({ where: { id: runId! } })).status).toBe("cancelled");
    await expect(cancelPruning(workspaceId, started.id, userId)).rejects.toMatchObject({ code: "conflict" });
  });

  it("refuses bad input before storing anything", async () => {
    const before = await db.pruning.count({ where: { workspaceId } });
    await expect(startPruning(workspaceId, userId, { versionId: bareVersionId, suiteId, connectionId, model: "fake-echo" })).rejects.toMatchObject({ details: [{ path: "versionId" }] });
    await expect(startPruning(workspaceId, userId, { versionId, suiteId: emptySuiteId, connectionId, model: "fake-echo" })).rejects.toMatchObject({ details: [{ path: "suiteId" }] });
    await expect(getPruning(workspaceId, "no-such-pruning")).rejects.toMatchObject({ code: "not_found" });
    expect(await db.pruning.count({ where: { workspaceId } })).toBe(before);
  });
});
