import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// Example pruning as a background job (lib/prune/jobs.ts): started, it is stored at once and runs on; its progress
// (round k of at most n, what the current run tries) and finally its report are read back from the Pruning row; a
// cancel stops the current run through the run engine and ends the pruning "cancelled". Same seeded suite as
// prune.test.ts: two of four examples carry the effect.

process.env.DATABASE_URL = await isolatedDatabase("prune-jobs");
process.env.ASSAY_SECRET ??= "test-secret-for-prunejobs-0123456";

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const { cancelPruning, getPruning, startPruning, waitForPruning } = await import("../../lib/prune/jobs.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { createConnection } = await import("../../lib/connections/service.ts");
const { createPrompt } = await import("../../lib/prompts/service.ts");

let fake: FakeOpenAI;
let workspaceId: string;
let userId: string;
let connectionId: string;
let suiteId: string;
let emptySuiteId: string;
let versionId: string;
let bareVersionId: string;
let worker: InstanceType<typeof RunWorker>;

const CASES = 20;

function reply(request: { messages: { role: string; content: string }[]; lastUserMessage: string }): string {
  const shown = (text: string) => request.messages.some((message) => message.role === "user" && message.content.includes(text));
  if (!shown("key alpha") || !shown("key gamma")) return "unsure";
  return request.lastUserMessage.includes("great") ? "positive" : "negative";
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ reply, latencyMs: 1 });
  const stamp = `${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Prune", slug: `prune-${stamp}` } })).id;
  userId = (await db.user.create({ data: { id: `prune-${stamp}`, name: "Ada", email: `prune-${stamp}@example.com` } })).id;
  connectionId = (await createConnection(workspaceId, { name: "fake", baseUrl: fake.url, apiKey: "sk-test-0123456789abcdef", concurrency: 20, models: [{ name: "fake-echo", inputPricePerM: 1, outputPricePerM: 2 }, { name: "fake-slow" }] })).id;
  suiteId = (await db.suite.create({ data: { workspaceId, name: "Reviews", assertions: [{ type: "equals", value: "{{ expected }}" }] } })).id;
  emptySuiteId = (await db.suite.create({ data: { workspaceId, name: "Empty", assertions: [] } })).id;
  await db.case.createMany({
    data: Array.from({ length: CASES }, (_, index) => ({
      suiteId,
      position: index,
      key: `review-${index}`,
      variables: { text: `${index % 2 === 0 ? "great" : "awful"} product ${index}` },
      expected: index % 2 === 0 ? "positive" : "negative",
    })),
  });
  const prompt = await createPrompt(workspaceId, userId, {
    name: "sentiment",
    version: {
      messages: [{ role: "user", content: "Classify: {{ text }}" }],
      examples: [
        { variables: { text: "key alpha" }, output: "positive" },
        { variables: { text: "filler two" }, output: "positive" },
        { variables: { text: "key gamma" }, output: "negative" },
        { variables: { text: "filler four" }, output: "negative" },
      ],
      params: { temperature: 0, maxTokens: 20 },
    },
  });
  versionId = prompt.latest.id;
  bareVersionId = (await createPrompt(workspaceId, userId, { name: "bare", version: { messages: [{ role: "user", content: "Classify: {{ text }}" }] } })).latest.id;
  worker = new RunWorker({ log: () => {} });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await stopBoss();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.user.deleteMany({ where: { id: userId } });
  await fake?.close();
  await db.$disconnect();
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
