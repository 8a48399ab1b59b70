// npm run bench:import — a suite import's speed and memory: 100,000 JSONL rows streamed from a generator into a fresh
// suite. Target: the live heap (sampled after a full collection every 10,000 rows) grows by less than 50 MB — the rows
// as JavaScript objects take ~60 MB, so an import that held them would pass that by the last sample. (Moved out of
// test/integration/suites.test.ts: a figure that depends on the machine is a benchmark, not a test; the test keeps the
// functional outcome.) Run with node's --expose-gc available: the script turns it on itself.
import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import v8 from "node:v8";
import vm from "node:vm";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { migrate } from "../lib/db/migrate.ts";
import { jsonlCases } from "../test/support/jsonl-cases.ts";

const root = path.resolve(import.meta.dirname, "..");
const ROWS = 100_000;
const LIVE_HEAP_TARGET_MB = 50;

v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

function liveHeapMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}


async function main(): Promise<void> {
  let stopDatabase = async () => {};
  if (!process.env.DATABASE_URL) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "assay-bench-import-"));
    await chmod(dir, 0o755);
    const handle = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: 59500 + Math.floor(Math.random() * 400), database: "bench" });
    process.env.DATABASE_URL = handle.url;
    stopDatabase = () => handle.stop();
  }
  await migrate(process.env.DATABASE_URL as string, path.join(root, "prisma/migrations"));
  const { db } = await import("../lib/db.ts");
  const { importCases } = await import("../lib/suites/import-cases.ts");
  const { exportCases } = await import("../lib/suites/export-cases.ts");
  try {
    const workspaceId = (await db.workspace.create({ data: { name: "Bench", slug: `bench-import-${Date.now()}` } })).id;
    const suite = await db.suite.create({ data: { workspaceId, name: "big" } });
    const baseline = liveHeapMb();
    const samples: number[] = [];
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const started = performance.now();
    await importCases(workspaceId, suite.id, Readable.from(jsonlCases(ROWS, {}, () => samples.push(liveHeapMb() - baseline))), "jsonl");
    const seconds = (performance.now() - started) / 1000;
    clearInterval(rssTimer);
    const exportStarted = performance.now();
    let lines = 0;
    for await (const chunk of exportCases(suite.id, "jsonl")) lines += chunk.split("\n").length - 1;
    const exportSeconds = (performance.now() - exportStarted) / 1000;
    const peakLive = Math.max(...samples);

    const rows = [
      ["measure", "measured", "target", "ratio"],
      [`import ${ROWS.toLocaleString("en-US")} JSONL rows`, `${seconds.toFixed(1)} s (${Math.round(ROWS / seconds)} rows/s)`, "—", "—"],
      ["  live heap growth, at most", `${peakLive.toFixed(0)} MB`, `< ${LIVE_HEAP_TARGET_MB} MB`, `${(peakLive / LIVE_HEAP_TARGET_MB).toFixed(2)}×`],
      ["  samples every 10,000 rows", samples.map((mb) => mb.toFixed(0)).join(", "), "—", "—"],
      ["  peak RSS growth", `${((peakRss - rssBefore) / 1024 / 1024).toFixed(0)} MB`, "—", "—"],
      [`export ${lines.toLocaleString("en-US")} cases as JSONL`, `${exportSeconds.toFixed(1)} s`, "—", "—"],
    ];
    const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
    for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "));
    await db.workspace.delete({ where: { id: workspaceId } });
  } finally {
    await db.$disconnect();
    await stopDatabase();
  }
}

await main();
