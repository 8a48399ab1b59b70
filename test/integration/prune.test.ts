import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import type { FakeOpenAI } from "../support/fake-openai-server.ts";
import { pruneFixture, PRUNE_CASES, type PruneFixture } from "../support/prune-fixture.ts";

// Example pruning end to end: four examples, of which only two carry the effect (the fake model answers right only
// when both are in the prompt). The pruning removes the other two, one round at a time, as ordinary runs, and stops
// when every further removal hurts; "Create draft" saves the pruned prompt as a new version.

process.env.DATABASE_URL = await isolatedDatabase("prune");
process.env.ASSAY_SECRET ??= "test-secret-for-prune-0123456789ab";

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const { prunePrompt } = await import("../../lib/prune/prune.ts");
const { createPrunedVersion } = await import("../../lib/prune/draft.ts");

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
  fixture = await pruneFixture();
  ({ fake, workspaceId, userId, connectionId, suiteId, emptySuiteId, versionId, bareVersionId } = fixture);
});

afterAll(async () => {
  await fixture?.close();
});

describe("example pruning", () => {
  it("prunes the two examples that carry no effect, keeps the pass rate, and saves the result as a new version", async () => {
    const report = await prunePrompt(workspaceId, userId, { versionId, suiteId, connectionId, model: "fake-echo" }, { pollMs: 50 });
    // Both fillers leave the pass rate at 100 %; "filler four" is longer, so it saves more tokens and goes first.
    expect(report.removed).toEqual(["example 4", "example 2"]);
    expect(report.keepExamples).toEqual([0, 2]);
    expect(report.keepCounterexamples).toEqual([]);
    expect(report).toMatchObject({ cases: CASES, fullPassRate: 1, prunedPassRate: 1, marginPoints: 2 });
    expect(report.steps.map((step) => step.removed)).toEqual(["example 4", "example 2", null]);
    // round 1: full + 4 removals; round 2: 3; round 3: 2; then full vs pruned — every one an ordinary, completed run
    expect(report.runIds).toHaveLength(4);
    const runs = await db.run.findMany({ where: { id: { in: report.runIds } }, include: { _count: { select: { variants: true } } } });
    expect(runs.map((run) => [run.status, run._count.variants, run.cache]).sort()).toEqual([["completed", 2, false], ["completed", 2, false], ["completed", 3, false], ["completed", 5, false]]);
    const last = report.steps[2]!;
    expect(last.tried.map((tried) => [tried.label, tried.evidence.candidatePassRate, tried.evidence.notWorse])).toEqual([
      ["example 3", 0, false],
      ["example 1", 0, false],
    ]);
    expect(last.tried[0]?.evidence.onlyFull).toBe(CASES);
    // The compare screen gets the full prompt and the smallest set side by side in the last run.
    const full = await db.variant.findUniqueOrThrow({ where: { id: report.fullVariantId } });
    const pruned = await db.variant.findUniqueOrThrow({ where: { id: report.prunedVariantId } });
    expect([full.runId, (full.prompt as { examples: unknown[] }).examples.length]).toEqual([report.runIds[3], 4]);
    expect([pruned.runId, pruned.label, (pruned.prompt as { examples: unknown[] }).examples.length]).toEqual([report.runIds[3], "without example 4, example 2", 2]);
    // The fake counts 4 + ⌈characters / 4⌉ per message: "Classify: filler four" (21) + "negative" (8) = 10 + 6,
    // "Classify: filler two" (20) + "positive" (8) = 9 + 6 — 31 input tokens per call, at $1 per million.
    expect(report.inputTokensSavedPerCall).toBe(31);
    expect(report.costSavedPer1000Calls).toBeCloseTo(0.031, 9);
    expect(report.latencySavedMsPer1000Calls).not.toBeNull();

    const draft = await createPrunedVersion(workspaceId, userId, { versionId, keepExamples: report.keepExamples, keepCounterexamples: report.keepCounterexamples });
    expect(draft.number).toBe(2);
    expect(draft.examples.map((example) => example.variables.text)).toEqual(["key alpha", "key gamma"]);
    expect(draft.commitMessage).toBe("Pruned from v1: 2 examples and 0 counterexamples removed");
    expect(draft.params).toEqual({ temperature: 0, maxTokens: 20 });
  });

  it("refuses bad input naming the field, creating no run and no version", async () => {
    const runsBefore = await db.run.count({ where: { workspaceId } });
    const versionsBefore = await db.promptVersion.count({ where: { prompt: { workspaceId } } });
    const path = async (promise: Promise<unknown>) => {
      const error = await promise.then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      return (error as InstanceType<typeof AppError>).details[0]?.path;
    };
    expect(await path(prunePrompt(workspaceId, userId, { versionId: bareVersionId, suiteId, connectionId, model: "fake-echo" }))).toBe("versionId");
    expect(await path(prunePrompt(workspaceId, userId, { versionId, suiteId: "no-such-suite", connectionId, model: "fake-echo" }))).toBe("suiteId");
    expect(await path(prunePrompt(workspaceId, userId, { versionId, suiteId: emptySuiteId, connectionId, model: "fake-echo" }))).toBe("suiteId");
    await expect(prunePrompt(workspaceId, userId, { versionId, suiteId, connectionId, model: "fake-echo", marginPoints: -1 })).rejects.toThrow(/marginPoints/);
    await expect(prunePrompt(workspaceId, userId, { versionId: "no-such-version", suiteId, connectionId, model: "fake-echo" })).rejects.toThrow(/version/);
    expect(await path(createPrunedVersion(workspaceId, userId, { versionId, keepExamples: [0, 7], keepCounterexamples: [] }))).toBe("keepExamples");
    await expect(createPrunedVersion(workspaceId, userId, { versionId, keepExamples: [1, 1], keepCounterexamples: [] })).rejects.toThrow(/twice/);
    expect(await db.run.count({ where: { workspaceId } })).toBe(runsBefore);
    expect(await db.promptVersion.count({ where: { prompt: { workspaceId } } })).toBe(versionsBefore);
  });
});
