import { parseArgs } from "node:util";
import v8 from "node:v8";

// `assay worker`: a run worker against DATABASE_URL (or the embedded PostgreSQL of `assay start` on this machine).
// Any number of workers, on this machine or others, share the queued runs through PostgreSQL.

const HELP = `Usage: assay worker [--max-cells N]

Works the queued runs of the database in DATABASE_URL (default: the embedded PostgreSQL of \`assay start\`).
Start as many as you like, here or on other machines: they share the work.

Options:
  --max-cells N   cells held at once by this worker, over all runs (default 4000)
  -h, --help      show this help
`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { "max-cells": { type: "string" }, help: { type: "boolean", short: "h", default: false } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`assay worker: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const maxCells = values["max-cells"] === undefined ? undefined : Number(values["max-cells"]);
  if (maxCells !== undefined && (!Number.isInteger(maxCells) || maxCells < 1)) {
    process.stderr.write("assay worker: --max-cells must be a positive whole number\n");
    return 2;
  }
  // A worker's live set is small (the cells it holds), but a fast stream of calls makes V8 grow the heap to several
  // times it before collecting: measured over 100,000 cells, 407 MB peak RSS by default, ~240 MB with a 160 MB heap
  // cap at the same speed. Growing the heap by 30 % at a time (a flag V8 reads at each collection) keeps it near the
  // live set; unlike --max-old-space-size it needs no restart and sets no hard limit.
  v8.setFlagsFromString("--heap-growing-percent=30");
  const { openDatabase } = await import("../../lib/runtime/database.ts");
  const database = await openDatabase();
  const { RunWorker } = await import("../../lib/runs/worker.ts");
  const { stopBoss } = await import("../../lib/runs/queue.ts");
  const worker = new RunWorker({
    ...(maxCells !== undefined ? { maxHeldCells: maxCells } : {}),
    log: (line) => process.stderr.write(`[worker] ${line}\n`),
  });
  await worker.start();
  const { DistillWorker } = await import("../../lib/distill/jobs.ts");
  const distill = new DistillWorker((line) => process.stderr.write(`[distill] ${line}\n`));
  await distill.start();
  const { startProcessReleaseMonitor, stopProcessReleaseMonitor } = await import("../../lib/releases/monitor.ts");
  startProcessReleaseMonitor();
  process.stdout.write(`[worker] ready (pid ${process.pid}); working queued runs\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  process.stdout.write("[worker] stopping: finishing writes, returning unfinished chunks to the queue\n");
  await stopProcessReleaseMonitor();
  await distill.stop();
  await worker.stop();
  await stopBoss();
  await database.stop();
  return 0;
}
