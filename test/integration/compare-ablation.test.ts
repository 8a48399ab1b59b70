import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// The examples/counterexamples ablation end to end: one call creates the run (zero-shot, k = 1 … n − 1, all examples,
// examples + counterexamples), the run engine executes it against a fake model that does better with more shots,
// and the comparison of the variants says so, Holm-corrected.

// A database of this file's own: its workers must not take other files' runs (see isolated-database.ts).
process.env.DATABASE_URL = await isolatedDatabase("compare_ablation");
process.env.ASSAY_SECRET ??= "test-secret-for-compare-0123456789";

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const { createAblation } = await import("../../lib/compare/ablation.ts");
const { getComparison } = await import("../../lib/compare/service.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { waitForRun } = await import("../../lib/runs/wait.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { createConnection } = await import("../../lib/connections/service.ts");
const { createPrompt } = await import("../../lib/prompts/service.ts");

let fake: FakeOpenAI;
let workspaceId: string;
let userId: string;
let connectionId: string;
let suiteId: string;
let versionId: string;
let bareVersionId: string;
let worker: InstanceType<typeof RunWorker>;

const CASES = 60;

/**
 * The fake model classifies "great …" as positive and "awful …" as negative, but only in the requested format when
 * shown enough shots: zero-shot it rambles, with one example it gets the label right on half the cases, with all
 * examples on five in six, and with the counterexample too on every case.
 */
function reply(request: { messages: { role: string; content: string }[]; lastUserMessage: string }): string {
  const examples = request.messages.filter((message) => message.role === "assistant").length;
  const counterexamples = request.messages.some((message) => message.role === "system" && message.content.includes("Do not answer like this"));
  const label = request.lastUserMessage.includes("great") ? "positive" : "negative";
  const index = Number(/(\d+)$/.exec(request.lastUserMessage)?.[1] ?? 0);
  if (counterexamples) return label;
  if (examples >= 3) return index % 6 === 0 ? `I think it is ${label}` : label;
  if (examples >= 1) return index % 2 === 0 ? label : `It's ${label}.`;
  return `This review sounds ${label} to me.`;
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ reply, latencyMs: 2 });
  const stamp = `${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Ablation", slug: `ablation-${stamp}` } })).id;
  userId = (await db.user.create({ data: { id: `ablation-${stamp}`, name: "Ada", email: `ablation-${stamp}@example.com` } })).id;
  connectionId = (await createConnection(workspaceId, { name: "fake", baseUrl: fake.url, apiKey: "sk-test-0123456789abcdef", concurrency: 20, models: [{ name: "fake-echo", inputPricePerM: 1, outputPricePerM: 2 }] })).id;
  const suite = await db.suite.create({ data: { workspaceId, name: "Reviews", assertions: [{ type: "equals", value: "{{ expected }}" }] } });
  suiteId = suite.id;
  await db.case.createMany({
    data: Array.from({ length: CASES }, (_, index) => ({
      suiteId,
      position: index,
      key: `review-${index}`,
      variables: { text: `${index % 2 === 0 ? "great" : "awful"} product ${index}` },
      expected: index % 2 === 0 ? "positive" : "negative",
      tags: [index % 2 === 0 ? "positive" : "negative"],
    })),
  });
  const prompt = await createPrompt(workspaceId, userId, {
    name: "sentiment",
    version: {
      messages: [{ role: "user", content: "Classify: {{ text }}" }],
      examples: [
        { variables: { text: "great phone 1" }, output: "positive" },
        { variables: { text: "awful phone 2" }, output: "negative" },
        { variables: { text: "great phone 3" }, output: "positive" },
      ],
      counterexamples: [{ variables: { text: "great phone 4" }, output: "It is positive.", reason: "Answer with the label only." }],
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

describe("examples and counterexamples ablation", () => {
  it("creates and runs zero-shot, k = 1 … n − 1, all examples and examples + counterexamples, then compares them", async () => {
    const ablation = await createAblation(workspaceId, userId, { versionId, suiteId, connectionId, model: "fake-echo", exampleSweep: true });
    expect(ablation.labels).toEqual(["zero-shot", "first 1 example", "first 2 examples", "all 3 examples", "3 examples + 1 counterexample"]);
    expect(ablation.url).toBe(`/compare?variants=${ablation.variantIds.join(",")}`);
    const variants = await db.variant.findMany({ where: { runId: ablation.runId }, orderBy: { position: "asc" } });
    expect(variants.map((variant) => [(variant.prompt as { examples: unknown[] }).examples.length, (variant.prompt as { counterexamples: unknown[] }).counterexamples.length])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [3, 1],
    ]);
    expect(variants.every((variant) => variant.versionId === versionId && variant.model === "fake-echo")).toBe(true);
    const run = await db.run.findUniqueOrThrow({ where: { id: ablation.runId } });
    expect(run.cache).toBe(false);

    const progress = await waitForRun(ablation.runId);
    expect(progress).toMatchObject({ status: "completed", done: 5 * CASES, errors: 0 });

    const comparison = await getComparison(workspaceId, { variants: ablation.variantIds }, { resamples: 2000 });
    expect(comparison.holmCorrected).toBe(true);
    expect(comparison.stats.map((stats) => stats.passRate?.estimate)).toEqual([0, 0.5, 0.5, 50 / 60, 1]);
    // Examples cost input tokens on every call: zero-shot is the cheapest variant.
    const inputTokens = comparison.stats.map((stats) => stats.inputTokensPerCall?.estimate ?? 0);
    expect(inputTokens[0]).toBeLessThan(inputTokens[3] as number);
    const last = comparison.pairs[3]?.metrics.find((metric) => metric.metric === "passRate");
    expect(last?.verdict).toMatch(/^E passes more cases than A: \+100\.0 points \(95 % CI .* p < 0\.001, Holm-adjusted\)$/);
    expect(comparison.pairs[3]?.metrics.find((metric) => metric.metric === "inputTokens")?.verdict).toMatch(/^E uses more input tokens than A/);
  });

  it("refuses a version with nothing to ablate, and an unknown suite, storing no run", async () => {
    const before = await db.run.count({ where: { workspaceId } });
    const error = await createAblation(workspaceId, userId, { versionId: bareVersionId, suiteId, connectionId, model: "fake-echo" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as InstanceType<typeof AppError>).details[0]?.path).toBe("versionId");
    await expect(createAblation(workspaceId, userId, { versionId, suiteId: "no-such-suite", connectionId, model: "fake-echo" })).rejects.toThrow();
    await expect(createAblation(workspaceId, userId, { versionId, suiteId, connectionId, model: "" })).rejects.toThrow(/model/);
    expect(await db.run.count({ where: { workspaceId } })).toBe(before);
  });
});
