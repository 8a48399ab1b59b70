import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { rejection } from "../support/app-error.ts";

// A database of this file's own: its workers must not take other files' runs (see isolated-database.ts).
process.env.DATABASE_URL = await isolatedDatabase("runs");
process.env.ASSAY_SECRET ??= "test-secret-for-runs-0123456789";

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const runs = await import("../../lib/runs/service.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { waitForRun } = await import("../../lib/runs/wait.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { createConnection } = await import("../../lib/connections/service.ts");
const { createPrompt } = await import("../../lib/prompts/service.ts");

let fake: FakeOpenAI;
let workspaceId: string;
let connectionId: string;
let versionId: string;
let worker: InstanceType<typeof RunWorker>;

async function suiteWith(name: string, count: number, extra: Record<string, unknown> = {}) {
  const suite = await db.suite.create({ data: { workspaceId, name, assertions: [{ type: "starts-with", value: "Echo:" }], ...extra } });
  await db.case.createMany({
    data: Array.from({ length: count }, (_, index) => ({
      suiteId: suite.id,
      position: index,
      key: `k${index}`,
      variables: { text: `item ${index}` },
      expected: `Echo: Say item ${index}`,
      tags: index % 2 ? ["odd"] : ["even"],
      assertions: index === 1 ? [{ type: "contains", value: "never there" }] : [],
    })),
  });
  return suite;
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ latencyMs: 5 });
  const stamp = `${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Runs", slug: `runs-${stamp}` } })).id;
  const owner = await db.user.create({ data: { id: `u-${stamp}`, name: "Owner", email: `runs-${stamp}@example.com` } });
  connectionId = (
    await createConnection(workspaceId, {
      name: "fake",
      baseUrl: fake.url,
      apiKey: "sk-test-0123456789abcdef",
      concurrency: 20,
      models: [{ name: "fake-echo", inputPricePerM: 1, outputPricePerM: 2 }],
    })
  ).id;
  const prompt = await createPrompt(workspaceId, owner.id, {
    name: "say",
    version: { messages: [{ role: "user", content: "Say {{ text }}" }] },
  });
  versionId = prompt.latest.id;
  worker = new RunWorker({ log: (line) => console.log(`[worker] ${line}`) });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await stopBoss();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await fake?.close();
  await db.$disconnect();
});

describe("runs", () => {
  it("runs a matrix of a stored version and a draft, with summaries, filters and exports", async () => {
    const suite = await suiteWith("matrix", 20);
    const { id } = await runs.createRun(workspaceId, null, {
      suiteId: suite.id,
      variants: [
        { versionId, connectionId, model: "fake-echo" },
        { label: "draft", prompt: { messages: [{ role: "user", content: "Tell {{ text }}" }], examples: [], counterexamples: [], exampleMode: "chat" }, connectionId, model: "fake-echo" },
      ],
      repeats: 2,
      concurrency: 8,
    });
    const progress = await waitForRun(id);
    expect(progress).toMatchObject({ status: "completed", total: 80, done: 80, errors: 0 });
    expect(await db.result.count({ where: { runId: id } })).toBe(80);
    const run = await runs.getRun(workspaceId, id);
    expect(run.variants.map((variant) => variant.label)).toEqual(["say v1 · fake-echo", "draft"]);
    const [version, draft] = run.variants;
    // case k1 has an assertion that fails for both; the draft never starts with "Echo: Say" but passes starts-with
    expect(version?.summary).toMatchObject({ done: 40, passed: 38, failed: 2, errors: 0, passRate: 0.95 });
    expect(draft?.summary.passRate).toBe(0.95);
    expect(version?.summary.latencyMs.p50).toBeGreaterThan(0);
    // The summary's cost is the stored calls' tokens at the connection's prices ($1 in, $2 out per 1M tokens).
    const tokens = await db.result.aggregate({ where: { runId: id, variantId: version?.id }, _sum: { inputTokens: true, outputTokens: true } });
    expect(tokens._sum.inputTokens).toBeGreaterThan(0);
    expect(version?.summary.totalCost).toBeCloseTo(((tokens._sum.inputTokens ?? 0) * 1 + (tokens._sum.outputTokens ?? 0) * 2) / 1e6, 12);

    const all = await runs.listResults(workspaceId, id, { limit: 5 });
    expect(all.total).toBe(40);
    expect(all.rows[0]).toMatchObject({ key: "k0", repeat: 0 });
    expect(all.rows[0]?.cells.map((cell) => cell?.output)).toEqual(["Echo: Say item 0", "Echo: Tell item 0"]);
    const failures = await runs.listResults(workspaceId, id, { filter: "failures" });
    expect(failures.rows.map((row) => [row.key, row.repeat])).toEqual([["k1", 0], ["k1", 1]]);
    expect(failures.rows[0]?.cells[0]?.reason).toMatch(/never there/);
    const searched = await runs.listResults(workspaceId, id, { search: "item 13" });
    expect(searched.rows.map((row) => row.key)).toEqual(["k13", "k13"]);

    let jsonl = "";
    for await (const chunk of runs.exportResults(workspaceId, id, "jsonl")) jsonl += chunk;
    expect(jsonl.trim().split("\n")).toHaveLength(80);
    let json = "";
    for await (const chunk of runs.exportResults(workspaceId, id, "json")) json += chunk;
    expect(JSON.parse(json).results).toHaveLength(80);
    let csv = "";
    for await (const chunk of runs.exportResults(workspaceId, id, "csv")) csv += chunk;
    expect(csv.split("\n")[0]).toMatch(/^variant,caseKey,repeat/);
    expect((await runs.listRuns(workspaceId)).map((item) => item.id)).toContain(id);
  });

  it("bad input is a clear error and nothing is stored", async () => {
    const suite = await suiteWith("bad-input", 3);
    const before = await db.run.count({ where: { workspaceId } });
    const missing = await rejection(
      runs.createRun(workspaceId, null, {
        suiteId: suite.id,
        variants: [{ prompt: { messages: [{ role: "user", content: "{{ text }} {{ topic }}" }], examples: [], counterexamples: [], exampleMode: "chat" }, connectionId, model: "fake-echo" }],
      }),
    );
    expect(missing.message).toBe('Case "k0" has no variable "topic", which the prompt of variants[0] (draft · fake-echo) uses');
    const unknown = await rejection(
      runs.createRun(workspaceId, null, { suiteId: suite.id, variants: [{ versionId, connectionId: "nope", model: "fake-echo" }] }),
    );
    expect(unknown.message).toBe("variants[0].connectionId: no such connection in this workspace");
    const envKey = await rejection(
      runs.createRun(workspaceId, null, {
        suiteId: suite.id,
        variants: [{ versionId, target: { baseURL: fake.url, apiKeyEnv: "ASSAY_SECRET" }, model: "fake-echo" }],
      }),
    );
    expect(envKey.message).toMatch(/^variants\[0\]\.target\.apiKeyEnv: API keys from environment variables are for the CLI/);
    const zod = await rejection(runs.createRun(workspaceId, null, { suiteId: suite.id, variants: [] }));
    expect(zod.message).toBe("variants: a run needs at least one variant");
    expect(await db.run.count({ where: { workspaceId } })).toBe(before);
  });

  it("survives a fault storm: exactly one result per cell, each correct or an error after its retries", async () => {
    fake.setBehavior({ faults: { rate429: 0.1, error500: 0.05, timeout: 0.02, cut: 0.01, seed: 42 }, retryAfter: "0.2", tokenDelayMs: 1 });
    try {
      const suite = await suiteWith("faults", 150, { assertions: [] });
      const { id } = await runs.createRun(workspaceId, null, {
        suiteId: suite.id,
        variants: [{ versionId, connectionId, model: "fake-echo" }, { versionId, connectionId, model: "fake-echo", params: { temperature: 0 } }],
        concurrency: 20,
        timeoutMs: 400,
        maxRetries: 3,
      });
      const progress = await waitForRun(id);
      expect(progress.status).toBe("completed");
      const results = await db.result.findMany({ where: { runId: id }, include: { case: true } });
      expect(results).toHaveLength(300);
      expect(new Set(results.map((result) => `${result.caseId}/${result.variantId}/${result.repeat}`)).size).toBe(300);
      let retried = 0;
      for (const result of results) {
        if (result.error) {
          expect(result.attempts).toBe(4);
        } else {
          expect(result.output).toBe(`Echo: Say ${(result.case.variables as { text: string }).text}`);
          expect(result.attempts).toBe(result.retries + 1);
        }
        retried += result.retries;
      }
      expect(retried).toBe(progress.retries);
      // ~18 % of requests fail: a few dozen retries over 300 cells
      expect(retried).toBeGreaterThan(20);
      console.log(`[runs] fault storm: 300 cells, ${retried} retries, ${progress.errors} errors after retries, ${(progress.elapsedMs / 1000).toFixed(1)} s`);
    } finally {
      fake.resetBehavior();
    }
  });

  it("cancels, then resumes only the missing cells", async () => {
    fake.setBehavior({ latencyMs: 50 });
    try {
      const suite = await suiteWith("cancel", 200, { assertions: [] });
      const { id } = await runs.createRun(workspaceId, null, {
        suiteId: suite.id,
        variants: [{ versionId, connectionId, model: "fake-echo" }],
        concurrency: 5,
      });
      await waitForRun(id, { onProgress: () => undefined, signal: AbortSignal.timeout(600) });
      const cancelled = await runs.cancelRun(workspaceId, id);
      expect(cancelled.status).toBe("cancelled");
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const stored = await db.result.count({ where: { runId: id } });
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThan(200);
      const requestsBefore = fake.requests.length;
      fake.setBehavior({ latencyMs: 1 });
      await runs.resumeRun(workspaceId, id);
      const done = await waitForRun(id);
      expect(done).toMatchObject({ status: "completed", done: 200 });
      expect(await db.result.count({ where: { runId: id } })).toBe(200);
      // only the missing cells were called again (a few calls cut short by the cancel are retried too)
      expect(fake.requests.length - requestsBefore).toBeLessThanOrEqual(200 - stored + 5);
    } finally {
      fake.resetBehavior();
    }
  });

  it("a worker that stops hands its unfinished chunks back at once, and another finishes the run", async () => {
    fake.setBehavior({ latencyMs: 2_000 });
    try {
      const suite = await suiteWith("stop", 20, { assertions: [] });
      const { id } = await runs.createRun(workspaceId, null, {
        suiteId: suite.id,
        variants: [{ versionId, connectionId, model: "fake-echo" }],
        concurrency: 5,
      });
      const activeJobs = async () =>
        Number(
          (
            await db.$queryRawUnsafe<{ count: bigint }[]>(
              `SELECT count(*) AS count FROM pgboss.job WHERE data->>'runId' = $1 AND state = 'active'`,
              id,
            )
          )[0]?.count ?? 0,
        );
      await expect.poll(activeJobs, { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);
      await worker.stop();
      // Failed back to pg-boss (retried within a second), not left active until their lease expires.
      expect(await activeJobs()).toBe(0);
      fake.setBehavior({ latencyMs: 1 });
      worker = new RunWorker({ log: (line) => console.log(`[worker] ${line}`) });
      await worker.start();
      const done = await waitForRun(id);
      expect(done).toMatchObject({ status: "completed", done: 20, errors: 0 });
      expect(await db.result.count({ where: { runId: id } })).toBe(20);
    } finally {
      fake.resetBehavior();
    }
  });
  it("response cache: a second workspace with the same prompt, model and case does not get the first's cached answer", async () => {
    const stamp = `${process.pid}-${Date.now()}`;
    const other = (await db.workspace.create({ data: { name: "Runs B", slug: `runs-b-${stamp}` } })).id;
    try {
      const author = await db.user.create({ data: { id: `u-b-${stamp}`, name: "Other", email: `runs-b-${stamp}@example.com` } });
      const otherConnection = (
        await createConnection(other, { name: "fake", baseUrl: fake.url, apiKey: "sk-test-0123456789abcdef", models: [{ name: "fake-echo" }] })
      ).id;
      const otherVersion = (await createPrompt(other, author.id, { name: "say", version: { messages: [{ role: "user", content: "Say {{ text }}" }] } })).latest.id;
      const text = `cached ${stamp}`;
      const caseIn = async (space: string) => {
        const suite = await db.suite.create({ data: { workspaceId: space, name: `cache-${stamp}` } });
        await db.case.create({ data: { suiteId: suite.id, position: 0, key: "only", variables: { text } } });
        return suite.id;
      };
      const callsFor = () => fake.requests.filter((request) => JSON.stringify(request.body).includes(text)).length;
      const runIn = async (space: string, suiteId: string, version: string, connection: string) => {
        const { id } = await runs.createRun(space, null, { suiteId, variants: [{ versionId: version, connectionId: connection, model: "fake-echo" }], cache: true });
        expect(await waitForRun(id)).toMatchObject({ status: "completed", done: 1, errors: 0 });
        return db.result.findMany({ where: { runId: id }, select: { cached: true, output: true } });
      };
      const suiteA = await caseIn(workspaceId);
      const suiteB = await caseIn(other);

      expect(await runIn(workspaceId, suiteA, versionId, connectionId)).toEqual([{ cached: false, output: `Echo: Say ${text}` }]);
      expect(callsFor()).toBe(1);
      // The cache works within a workspace…
      expect(await runIn(workspaceId, suiteA, versionId, connectionId)).toEqual([{ cached: true, output: `Echo: Say ${text}` }]);
      expect(callsFor()).toBe(1);
      // …and the other workspace's identical request goes to the server.
      expect(await runIn(other, suiteB, otherVersion, otherConnection)).toEqual([{ cached: false, output: `Echo: Say ${text}` }]);
      expect(callsFor()).toBe(2);
    } finally {
      await db.workspace.deleteMany({ where: { id: other } });
    }
  });
});
