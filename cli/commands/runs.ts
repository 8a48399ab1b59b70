import { parseArgs } from "node:util";
import { outputFormatProblem, progressReporter, writeOutput } from "./eval-shared.ts";

// `assay runs list | export <id> | resume <id>`: stored runs from the terminal.

const HELP = `Usage:
  assay runs list [--workspace NAME] [--limit N]
  assay runs export <id> [--format jsonl|csv|json | --output FILE]   (FILE: .json, .jsonl, .csv or .xml for JUnit)
  assay runs resume <id>        run only the cells that have no result yet, here, and wait for the run to end
`;

function fail(message: string): number {
  process.stderr.write(`assay runs: ${message}\n`);
  return 2;
}

export { evaluate as run };

async function evaluate(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === "help" || action === "--help" || action === "-h") {
    process.stdout.write(HELP);
    return action ? 0 : 2;
  }
  if (!["list", "export", "resume"].includes(action)) return fail(`unknown action "${action}"\n\n${HELP}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        format: { type: "string", short: "f" },
        output: { type: "string", short: "o" },
        workspace: { type: "string" },
        limit: { type: "string" },
      },
      strict: true,
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  const format = values.format ?? "jsonl";
  if (!["jsonl", "csv", "json"].includes(format)) return fail(`--format must be jsonl, csv or json, not "${format}"`);
  if (values.output && outputFormatProblem(values.output)) return fail(outputFormatProblem(values.output) as string);
  if (action !== "list" && positionals.length !== 1) return fail(`give the run id\n\n${HELP}`);

  const { openDatabase } = await import("../../lib/runtime/database.ts");
  const database = await openDatabase();
  const { db } = await import("../../lib/db.ts");
  const { stopBoss } = await import("../../lib/runs/queue.ts");
  try {
    if (action === "list") {
      const { chooseWorkspace } = await import("./eval-shared.ts");
      const { listRuns } = await import("../../lib/runs/read-runs.ts");
      const workspace = await chooseWorkspace(values.workspace);
      const runs = await listRuns(workspace.id, { limit: Number(values.limit ?? 20) || 20 });
      if (runs.length === 0) process.stdout.write(`No runs in ${workspace.name} yet.\n`);
      for (const item of runs) {
        const progress = item.progress;
        process.stdout.write(
          `${item.id}  ${item.status.padEnd(9)}  ${String(progress.done).padStart(6)}/${String(progress.total).padEnd(6)}  errors ${String(progress.errors).padEnd(4)}  ${item.createdAt.toISOString().slice(0, 16).replace("T", " ")}  ${item.name}\n`,
        );
      }
      return 0;
    }
    const runId = positionals[0] as string;
    const found = await db.run.findUnique({ where: { id: runId }, select: { workspaceId: true } });
    if (!found) return fail(`no run ${runId} in this database`);
    const { getRun } = await import("../../lib/runs/read-runs.ts");
    if (action === "export") {
      const detail = await getRun(found.workspaceId, runId);
      if (values.output) {
        await writeOutput(found.workspaceId, detail, values.output);
        process.stderr.write(`Results written to ${values.output}\n`);
      } else {
        const { exportResults } = await import("../../lib/runs/export.ts");
        for await (const chunk of exportResults(found.workspaceId, runId, format as "jsonl" | "csv" | "json")) {
          if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once("drain", resolve));
        }
      }
      return 0;
    }
    const { resumeRun } = await import("../../lib/runs/control.ts");
    const { RunWorker } = await import("../../lib/runs/worker.ts");
    const { waitForRun } = await import("../../lib/runs/wait.ts");
    const { runShape } = await import("../../lib/runs/shape.ts");
    const { summaryTable } = await import("../../lib/runs/format.ts");
    const { SHARED_QUEUE } = await import("../../lib/runs/queue.ts");
    const shape = await runShape(runId);
    if (!shape) return fail("this run's suite was deleted; its missing cells cannot run");
    // This process works the run (its own queue for CLI runs, the shared queue otherwise, alongside other workers).
    const worker = new RunWorker({ shared: shape.queue === SHARED_QUEUE, queues: [shape.queue], log: (line) => process.stderr.write(`[worker] ${line}\n`) });
    const before = await resumeRun(found.workspaceId, runId, { allowPrivateQueue: true });
    process.stdout.write(`Resuming ${runId}: ${before.total - before.done} of ${before.total} cells to run\n`);
    await worker.start();
    const reporter = progressReporter();
    await waitForRun(runId, { onProgress: (progress) => reporter.update(progress) });
    reporter.end();
    await worker.stop();
    const detail = await getRun(found.workspaceId, runId);
    process.stdout.write(`\n${summaryTable(detail)}\n`);
    return detail.status === "completed" ? 0 : 1;
  } finally {
    await stopBoss();
    // Exiting anyway: the database is stopped next and the process ends; the run's outcome is already printed.
    await db.$disconnect().catch(() => undefined);
    await database.stop();
  }
}
