// npm run bench:eval — the `assay eval` process, and the run engine's speed and memory, against the fake
// OpenAI-compatible server. BENCH_EVAL_PARTS=process,engine,memory (default all) picks parts.
//  0. The `assay eval` process end to end, its first model call, and its latency fidelity: bench-eval-process.ts.
//  1. 1,000 cells, fake server answering in a fixed 100 ms, concurrency 50: ideal 1,000 / 50 × 0.1 s = 2.0 s; the
//     target is at most 1.15 × ideal, timed from createRun to the run's completion (process start excluded).
//  2. 100,000 cells against a fast fake server, executed by a fresh `assay worker` process: its peak RSS (VmHWM),
//     target under 400 MB.
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { migrate } from "../lib/db/migrate.ts";
import { benchEvalProcess } from "./bench-eval-process.ts";

const root = path.resolve(import.meta.dirname, "..");

// The fake servers and the worker each get a process of their own: a provider is remote, and a fake server sharing
// the worker's event loop would queue its answers behind the worker's own work (measured: 1,000 × 100 ms calls took
// 4.5 s with both in one process, the single thread ~90 % busy).
async function startFakes(): Promise<{ slow: string; fast: string; stop: () => void }> {
  const code = `
    import { startFakeOpenAI } from ${JSON.stringify(path.join(root, "test/support/fake-openai-server.ts"))};
    const slow = await startFakeOpenAI({ latencyMs: 100, record: false });
    const fast = await startFakeOpenAI({ latencyMs: 0, record: false });
    console.log(JSON.stringify({ slow: slow.url, fast: fast.url }));`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const urls = await new Promise<{ slow: string; fast: string }>((resolve, reject) => {
    child.stdout?.once("data", (data: Buffer) => resolve(JSON.parse(data.toString()) as { slow: string; fast: string }));
    child.once("exit", (exitCode) => reject(new Error(`the fake servers exited (${exitCode})`)));
  });
  return { ...urls, stop: () => child.kill("SIGTERM") };
}

async function startWorkerProcess() {
  // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, "bin/assay.js"), "worker"], { cwd: root, env: { ...process.env }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (data: Buffer) => data.toString().includes("ready") && resolve());
    child.once("exit", (exitCode) => reject(new Error(`the worker exited (${exitCode})`)));
  });
  return child;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "));
}

async function main(): Promise<void> {
  const parts = new Set((process.env.BENCH_EVAL_PARTS ?? "process,engine,memory").split(",").map((part) => part.trim()));
  const rows: string[][] = [["measure", "measured", "ideal / target", "ratio"]];
  // These machines are shared: a busy CPU stretches every call. The load average is printed with the figures.
  const load = () => os.loadavg()[0]?.toFixed(1) ?? "?";
  console.log(`load average at start: ${load()} (on ${os.cpus().length} cores)`);
  if (parts.has("process")) await benchEvalProcess(rows, load);
  if (!parts.has("engine") && !parts.has("memory")) {
    console.log(`load average at the end: ${load()}`);
    printTable(rows);
    return;
  }
  let stopDatabase = async () => {};
  if (!process.env.DATABASE_URL) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "assay-bench-eval-"));
    await chmod(dir, 0o755);
    const handle = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: 59000 + Math.floor(Math.random() * 500), database: "bench" });
    process.env.DATABASE_URL = handle.url;
    stopDatabase = () => handle.stop();
  }
  await migrate(process.env.DATABASE_URL as string, path.join(root, "prisma/migrations"));
  const { db } = await import("../lib/db.ts");
  const { createRun } = await import("../lib/runs/create-run.ts");
  const { waitForRun } = await import("../lib/runs/wait.ts");
  const { stopBoss, getBoss } = await import("../lib/runs/queue.ts");
  const { importCases } = await import("../lib/suites/import-cases.ts");

  const workspaceId = (await db.workspace.create({ data: { name: "Bench", slug: `bench-${Date.now()}` } })).id;
  const prompt = { messages: [{ role: "user" as const, content: "Say {{ text }}" }], examples: [], counterexamples: [], exampleMode: "chat" as const };
  async function suiteOf(name: string, count: number): Promise<string> {
    const suite = await db.suite.create({ data: { workspaceId, name } });
    async function* lines() {
      for (let index = 0; index < count; index += 1_000) {
        let chunk = "";
        for (let row = index; row < Math.min(count, index + 1_000); row++) chunk += `{"key":"k${row}","variables":{"text":"n${row}"}}\n`;
        yield chunk;
      }
    }
    await importCases(workspaceId, suite.id, Readable.from(lines()), "jsonl");
    return suite.id;
  }
  // 1. Speed
  const fakes = await startFakes();
  const slowConnection = await db.connection.create({ data: { workspaceId, name: "fake-100ms", baseUrl: fakes.slow, concurrency: 50 } });
  const speedSuite = await suiteOf("speed", 1_000);
  await getBoss();
  let child = await startWorkerProcess();
  const memory = async (field: "VmRSS" | "VmHWM") =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(await readFile(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  // One warm-up run so connection pools and JIT are in the state a long-running worker is in.
  const warm = await createRun(workspaceId, null, { suiteId: speedSuite, variants: [{ prompt, connectionId: slowConnection.id, model: "fake-echo" }], concurrency: 50, caseIds: (await db.case.findMany({ where: { suiteId: speedSuite }, take: 100, select: { id: true } })).map((row) => row.id) });
  await waitForRun(warm.id, { intervalMs: 20 });
  const timings: number[] = [];
  const attempts = Number(process.env.BENCH_EVAL_ATTEMPTS ?? 5);
  for (let attempt = 0; attempt < attempts; attempt++) {
    // Timed from here to the moment the worker marked the run completed (its finishedAt, same machine clock): the
    // bench then need not poll fast, and its polling does not take the CPU the worker and the fake server need.
    const started = Date.now();
    const { id } = await createRun(workspaceId, null, {
      suiteId: speedSuite,
      variants: [{ prompt, connectionId: slowConnection.id, model: "fake-echo" }],
      concurrency: 50,
    });
    const progress = await waitForRun(id, { intervalMs: 200 });
    const finished = await db.run.findUniqueOrThrow({ where: { id }, select: { createdAt: true, startedAt: true, finishedAt: true } });
    const seconds = ((finished.finishedAt?.getTime() ?? Date.now()) - started) / 1000;
    const stamp = (date: Date | null) => (date ? `${date.getTime() - started} ms` : "?");
    const phases = `createRun stored the run at ${stamp(finished.createdAt)}, the worker started it at ${stamp(finished.startedAt)}`;
    const [latency] = await db.$queryRaw<{ p50: number }[]>`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY "latencyMs") AS p50 FROM "Result" WHERE "runId" = ${id}`;
    console.log(`speed run ${attempt + 1}: ${seconds.toFixed(2)} s, call latency p50 ${latency?.p50.toFixed(0)} ms as the worker measured it; ${phases}; load ${load()}`);
    if (progress.status !== "completed" || progress.done !== 1_000) throw new Error(`speed run ended ${progress.status} with ${progress.done} results`);
    timings.push(seconds);
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const best = sorted[0] as number;
  rows.push([`1,000 cells × 100 ms, concurrency 50 (median of ${attempts})`, `${median.toFixed(2)} s`, "2.00 s ideal, ≤ 2.30 s", `${(median / 2).toFixed(2)}×`]);
  rows.push([`the same, best of ${attempts}`, `${best.toFixed(2)} s`, "2.00 s ideal, ≤ 2.30 s", `${(best / 2).toFixed(2)}×`]);

  const speedPeak = await memory("VmHWM");
  child.kill("SIGTERM");
  // 2. Memory of a worker process over 100,000 cells: a fresh worker, so the figure is this run's, not the speed
  // runs' (V8 grows its heap well past what is live while calls come fast; the peak is the process's high-water mark).
  child = await startWorkerProcess();
  const readyRss = await memory("VmRSS");
  const cells = Number(process.env.BENCH_EVAL_CELLS ?? 100_000);
  const fastConnection = await db.connection.create({ data: { workspaceId, name: "fake-fast", baseUrl: fakes.fast, concurrency: 100 } });
  const bigSuite = await suiteOf("memory", cells);
  const started = performance.now();
  const { id } = await createRun(workspaceId, null, {
    suiteId: bigSuite,
    variants: [{ prompt, connectionId: fastConnection.id, model: "fake-echo" }],
    concurrency: 100,
  });
  const progress = await waitForRun(id, { intervalMs: 1_000, onProgress: (update) => process.stderr.write(`\r${update.done}/${update.total}`) });
  process.stderr.write("\n");
  const seconds = (performance.now() - started) / 1000;
  const status = await readFile(`/proc/${child.pid}/status`, "utf8");
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  child.kill("SIGTERM");
  fakes.stop();
  if (progress.done !== cells) throw new Error(`memory run ended ${progress.status} with ${progress.done} results`);
  rows.push([`worker peak RSS over ${cells.toLocaleString("en-US")} cells`, `${(peakKb / 1024).toFixed(0)} MB`, "< 400 MB", `${(peakKb / 1024 / 400).toFixed(2)}×`]);
  rows.push([`  that worker's RSS when ready; the speed runs' worker's peak`, `${readyRss.toFixed(0)} MB; ${speedPeak.toFixed(0)} MB`, "—", "—"]);
  rows.push([`throughput of that run (fast server)`, `${Math.round(cells / seconds)} cells/s`, "—", "—"]);

  console.log(`load average at the end: ${load()}`);
  printTable(rows);
  await stopBoss();
  await db.workspace.delete({ where: { id: workspaceId } });
  await db.$disconnect();
  await stopDatabase();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
