import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// Crash safety with real worker processes (`assay worker`), killed with SIGKILL in the middle of a run.

// A database of this file's own: its workers must not take other files' runs (see isolated-database.ts).
process.env.DATABASE_URL = await isolatedDatabase("runs_crash");
process.env.ASSAY_SECRET ??= "test-secret-for-runs-0123456789";

const { db } = await import("../../lib/db.ts");
const runs = await import("../../lib/runs/service.ts");
const { waitForRun } = await import("../../lib/runs/wait.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { createConnection } = await import("../../lib/connections/service.ts");

const root = path.resolve(import.meta.dirname, "../..");
let fake: FakeOpenAI;
let workspaceId: string;
let connectionId: string;
const children: ChildProcess[] = [];

function startWorker(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(root, "bin/assay.js"), "worker"], {
    cwd: root,
    env: { ...process.env, ASSAY_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`worker ${name} did not start: ${output}`)), 30_000);
    child.stdout?.on("data", (data: Buffer) => {
      output += data.toString();
      if (output.includes("ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
    child.once("exit", (code) => reject(new Error(`worker ${name} exited (${code}) before it was ready: ${output}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function stopGracefully(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function untilStored(runId: string, count: number): Promise<number> {
  for (;;) {
    const stored = await db.result.count({ where: { runId } });
    if (stored >= count) return stored;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function suiteOf(name: string, count: number) {
  const suite = await db.suite.create({ data: { workspaceId, name } });
  await db.case.createMany({
    data: Array.from({ length: count }, (_, index) => ({ suiteId: suite.id, position: index, key: `k${index}`, variables: { text: `n${index}` } })),
  });
  return suite;
}

async function expectOneResultPerCell(runId: string, cells: number) {
  const rows = await db.result.findMany({ where: { runId }, select: { caseId: true, variantId: true, repeat: true, error: true, output: true } });
  expect(rows).toHaveLength(cells);
  expect(new Set(rows.map((row) => `${row.caseId}/${row.variantId}/${row.repeat}`)).size).toBe(cells);
  expect(rows.filter((row) => row.error !== null)).toEqual([]);
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ latencyMs: 40, record: false });
  const stamp = `${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Crash", slug: `crash-${stamp}` } })).id;
  connectionId = (await createConnection(workspaceId, { name: "fake", baseUrl: fake.url, concurrency: 50, models: [{ name: "fake-echo" }] })).id;
});

afterAll(async () => {
  await Promise.all(children.map(kill));
  await stopBoss();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await fake?.close();
  await db.$disconnect();
});

const prompt = { messages: [{ role: "user" as const, content: "Say {{ text }}" }], examples: [], counterexamples: [], exampleMode: "chat" as const };

describe("a worker killed mid-run", () => {
  it("loses nothing and duplicates nothing after a resume", { timeout: 120_000 }, async () => {
    const suite = await suiteOf("crash-one", 300);
    const first = await startWorker("A");
    const { id } = await runs.createRun(workspaceId, null, {
      suiteId: suite.id,
      variants: [{ prompt, connectionId, model: "fake-echo" }, { prompt, connectionId, model: "fake-echo", params: { seed: 1 } }],
      concurrency: 10,
    });
    const before = await untilStored(id, 100);
    await kill(first);
    const atKill = await db.result.count({ where: { runId: id } });
    expect(atKill).toBeLessThan(600);
    console.log(`[runs-crash] one worker: SIGKILL at ${before}+ of 600 results (${atKill} stored)`);
    await runs.resumeRun(workspaceId, id);
    const second = await startWorker("B");
    const done = await waitForRun(id);
    expect(done).toMatchObject({ status: "completed", total: 600, done: 600 });
    await expectOneResultPerCell(id, 600);
    await stopGracefully(second);
  });

  it("two workers share a run; one is killed; the run completes with one result per cell", { timeout: 120_000 }, async () => {
    const suite = await suiteOf("crash-two", 400);
    const [first, second] = await Promise.all([startWorker("A"), startWorker("B")]);
    const { id } = await runs.createRun(workspaceId, null, {
      suiteId: suite.id,
      variants: [{ prompt, connectionId, model: "fake-echo" }],
      concurrency: 10,
    });
    await untilStored(id, 120);
    await kill(first);
    const atKill = await db.result.count({ where: { runId: id } });
    expect(atKill).toBeLessThan(400);
    await runs.resumeRun(workspaceId, id);
    const done = await waitForRun(id);
    expect(done).toMatchObject({ status: "completed", total: 400, done: 400 });
    await expectOneResultPerCell(id, 400);
    console.log(`[runs-crash] two workers: SIGKILL of one at ${atKill} of 400; the other finished the run`);
    await stopGracefully(second);
  });
});
