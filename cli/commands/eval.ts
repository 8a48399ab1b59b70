import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { mark, markCpu, reportLoopDelay, reportSpans, watchLoopDelay } from "../../lib/runtime/timing.ts";
import type { StartedDatabase } from "../../lib/runtime/database.ts";
import type { Background } from "../../lib/runtime/in-background.ts";
import { chooseWorkspace, outputFormatProblem, progressReporter, UsageError, writeOutput } from "./eval-shared.ts";

// `assay eval <suite.yaml>`: runs a suite file without the browser, for CI. Exit codes: 0 every variant reaches the
// threshold, 1 one does not (or the run failed), 2 invalid input (nothing is stored then).

const HELP = `Usage: assay eval <suite.yaml> [options]

Runs every prompt × target of the suite file on its cases and prints a summary per variant.
The file format is described in docs/suite-file.md; \`assay eval --schema\` prints its JSON Schema.
A promptfoo config (promptfooconfig.yaml) runs too: see docs/promptfoo.md for what is supported.

Options:
  --concurrency N     calls in flight at once (overrides the file)
  --repeat N          calls per case and variant (overrides the file's repeats)
  --output FILE       write the results: .json, .jsonl, .csv, or .xml (JUnit)
  --fail-under RATE   pass rate every variant must reach, 0..1 or a percentage such as 90% (default: the file's
                      threshold, else 1: every case passes)
  --no-cache          never answer from the response cache (default: the file's cache setting)
  --workspace NAME    workspace slug or name (default: the first workspace)
  --strict            a promptfoo config: refuse to run when any assertion or setting cannot be run as promptfoo would
  --schema            print the suite file's JSON Schema and exit
  -h, --help          show this help

Exit codes: 0 every variant meets the threshold, 1 one does not, 2 invalid input.
`;

function fail(message: string): number {
  process.stderr.write(`assay eval: ${message}\n`);
  return 2;
}

function parseRate(text: string): number | null {
  const trimmed = text.trim();
  const percent = trimmed.endsWith("%");
  const value = Number(percent ? trimmed.slice(0, -1) : trimmed);
  if (!Number.isFinite(value)) return null;
  const rate = percent || value > 1 ? value / 100 : value;
  return rate >= 0 && rate <= 1 ? rate : null;
}

function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name} must be a positive whole number, not "${text}"`);
  return value;
}

export { evaluate as run };

/** What running the eval needs once the database is open, imported while it opens. */
async function loadRunModules() {
  const [queue, dbModule, prepare, create, worker, wait, read, control, format, formatting, env, metrics] = await Promise.all([
    import("../../lib/runs/queue.ts"),
    import("../../lib/db.ts"),
    import("../../lib/suite-file/prepare.ts"),
    import("../../lib/runs/create-run.ts"),
    import("../../lib/runs/worker.ts"),
    import("../../lib/runs/wait.ts"),
    import("../../lib/runs/read-runs.ts"),
    import("../../lib/runs/control.ts"),
    import("../../lib/runs/format.ts"),
    import("../../lib/format.ts"),
    import("../../lib/env.ts"),
    import("../../lib/runs/metrics.ts"),
  ]);
  return {
    stopBoss: queue.stopBoss,
    getBoss: queue.getBoss,
    privateQueue: queue.privateQueue,
    deleteQueue: queue.deleteQueue,
    db: dbModule.db,
    prepareEval: prepare.prepareEval,
    createRun: create.createRun,
    RunWorker: worker.RunWorker,
    waitForRun: wait.waitForRun,
    getRun: read.getRun,
    cancelRun: control.cancelRun,
    summaryTable: format.summaryTable,
    metricsTable: format.metricsTable,
    namedMetrics: metrics.namedMetrics,
    formatPercent: formatting.formatPercent,
    publicUrl: env.publicUrl,
  };
}

/** The input was refused after the database started: it is stopped again once up (nothing was written to it). */
async function closeUnused(early: Background<StartedDatabase> | null): Promise<void> {
  if (!early) return;
  const started = await early.settled;
  if (started.ok) await started.value.stop({ wait: false });
  // Not starting is not this command's outcome any more (the input was refused); said, not hidden.
  else process.stderr.write(`assay eval: (the database did not start either: ${started.error instanceof Error ? started.error.message : String(started.error)})\n`);
}

async function evaluate(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        concurrency: { type: "string" },
        repeat: { type: "string" },
        output: { type: "string", short: "o" },
        "fail-under": { type: "string" },
        "no-cache": { type: "boolean", default: false },
        workspace: { type: "string" },
        schema: { type: "boolean", default: false },
        strict: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.schema) {
    const { suiteFileJsonSchema } = await import("../../lib/suite-file/json-schema.ts");
    process.stdout.write(`${JSON.stringify(suiteFileJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (positionals.length !== 1) return fail(`give one suite file\n\n${HELP}`);
  const file = path.resolve(positionals[0] as string);
  const fileName = positionals[0] as string;
  let concurrency: number | undefined;
  let repeats: number | undefined;
  try {
    concurrency = positiveInt(values.concurrency, "--concurrency");
    repeats = positiveInt(values.repeat, "--repeat");
  } catch (error) {
    return fail((error as Error).message);
  }
  const failUnder = values["fail-under"] === undefined ? undefined : parseRate(values["fail-under"]);
  if (failUnder === null) return fail(`--fail-under must be a pass rate such as 0.9 or 90%, not "${values["fail-under"]}"`);
  if (values.output && outputFormatProblem(values.output)) return fail(outputFormatProblem(values.output) as string);

  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return fail(`cannot read ${fileName}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }

  // PostgreSQL's start (another process) begins now, while the suite file is parsed; the run engine's imports follow
  // once the file is known to be valid. Not when the embedded database needs initdb (seconds) first: a file with an
  // error must not cost that.
  mark("before-db");
  const { databaseStartsQuickly, finishOpening, startDatabase } = await import("../../lib/runtime/database.ts");
  const { inBackground } = await import("../../lib/runtime/in-background.ts");
  const early = databaseStartsQuickly() ? inBackground(startDatabase()) : null;

  const { AppError, messageOf } = await import("../../lib/errors.ts");
  const { readPositionedYaml, validateSuiteFile } = await import("../../lib/suite-file/parse.ts");
  let suiteFile;
  let strictRefusal: string | null = null;
  try {
    const positioned = readPositionedYaml(text, fileName);
    const { looksLikePromptfoo } = await import("../../lib/promptfoo/convert.ts");
    if (looksLikePromptfoo(positioned.raw)) {
      const { convertPromptfoo, noticeLines } = await import("../../lib/promptfoo/convert.ts");
      const converted = convertPromptfoo(positioned, fileName, path.dirname(file));
      const skipped = converted.notices.filter((notice) => notice.skipped);
      process.stderr.write(`${fileName}: a promptfoo config${converted.notices.length ? `; ${noticeLines(fileName, converted.notices)}` : ""}\n`);
      if (values.strict && skipped.length > 0) {
        strictRefusal = `--strict: ${skipped.length} ${skipped.length === 1 ? "part" : "parts"} of the config cannot run as promptfoo would run them (listed above)`;
      }
      // The config's env: block fills in what this process lacks; keys written in the config stay in this process.
      for (const [name, value] of Object.entries(converted.env)) process.env[name] ??= value;
      Object.assign(process.env, converted.keys);
      suiteFile = converted.parsed;
    } else {
      suiteFile = validateSuiteFile(positioned, fileName);
    }
  } catch (error) {
    // Invalid input: the database started meanwhile is stopped again, untouched by this command.
    await closeUnused(early);
    if (error instanceof AppError) return fail(`invalid suite file\n${error.message}`);
    throw error;
  }
  if (values.strict && strictRefusal) {
    await closeUnused(early);
    return fail(strictRefusal);
  }

  const loading = inBackground(loadRunModules());
  const started = await (early ? early.result : startDatabase());
  const modules = await loading.result.catch(async (error: unknown) => {
    await started.stop();
    throw error;
  });
  mark("modules");
  const database = await finishOpening(started).catch(async (error: unknown) => {
    await started.stop();
    throw error;
  });
  mark("db-open");
  const { stopBoss, privateQueue, deleteQueue, db, prepareEval, createRun, RunWorker, waitForRun, getRun, cancelRun, summaryTable, metricsTable, namedMetrics, formatPercent, publicUrl } = modules;
  // pg-boss starts (schema check, the shared queue) while the suite is stored, instead of inside createRun. A start
  // that fails is forgotten by getBoss and tried again by createRun, which reports its error.
  modules.getBoss().catch(() => undefined);
  try {
    let workspace;
    let prepared;
    try {
      workspace = await chooseWorkspace(values.workspace);
      prepared = await prepareEval(workspace.id, suiteFile, fileName, path.dirname(file));
    } catch (error) {
      if (error instanceof AppError || error instanceof UsageError) return fail(error instanceof UsageError ? error.message : `invalid suite file\n${error.message}`);
      throw error;
    }
    mark("prepared");
    const config = suiteFile.config;
    let runId: string;
    try {
      ({ id: runId } = await createRun(
        workspace.id,
        null,
        {
          suiteId: prepared.suiteId,
          name: config.name,
          variants: prepared.variants,
          repeats: repeats ?? config.repeats,
          concurrency: concurrency ?? config.concurrency,
          cache: values["no-cache"] ? false : config.cache,
          ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
          maxRetries: config.maxRetries,
          ...(prepared.judge ? { judge: prepared.judge } : {}),
          ...(prepared.caseIds ? { caseIds: prepared.caseIds } : {}),
        },
        { source: "cli", allowEnvironmentKeys: true, privateQueue: true, suiteFile: suiteFile.raw },
      ));
    } catch (error) {
      if (error instanceof AppError && error.code === "bad_request") return fail(`invalid suite file\n${fileName}: ${error.message}`);
      throw error;
    }
    mark("created");
    const url = `${publicUrl()}/runs/${runId}`;
    process.stdout.write(`Run ${runId} (${workspace.name})\n${url}\n`);

    // This process works its own run: its inline targets' keys live in this environment.
    // Its chunk ends nudge the wait below, which then looks at once instead of at its next poll.
    const checked = new Set<() => void>();
    const worker = new RunWorker({
      shared: false,
      queues: [privateQueue(runId)],
      log: (line) => process.stderr.write(`[worker] ${line}\n`),
      onRunChecked: () => {
        for (const listener of [...checked]) listener();
      },
    });
    await worker.start();
    mark("worker-started");
    watchLoopDelay();
    const interrupted = new AbortController();
    const onSignal = () => interrupted.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const reporter = progressReporter();
    const progress = await waitForRun(runId, {
      onProgress: (update) => reporter.update(update),
      signal: interrupted.signal,
      nudge: (listener) => {
        checked.add(listener);
        return () => checked.delete(listener);
      },
    });
    reporter.end();
    mark("run-done");
    reportLoopDelay("the run");
    reportSpans();

    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (interrupted.signal.aborted && progress.status !== "completed") {
      await cancelRun(workspace.id, runId);
      await worker.stop();
      process.stderr.write(`Interrupted: the run is cancelled; continue it with: npx assay runs resume ${runId}\n`);
      return 1;
    }
    await worker.stop();
    // A leftover private queue is empty and harmless, but say so rather than hide it.
    await deleteQueue(privateQueue(runId)).catch((error: unknown) =>
      process.stderr.write(`warning: could not delete the eval's private queue: ${messageOf(error)}\n`),
    );

    mark("worker-stopped");
    const detail = await getRun(workspace.id, runId);
    process.stdout.write(`\n${summaryTable(detail)}\n\n`);
    const metrics = metricsTable(detail, await namedMetrics(runId));
    if (metrics) process.stdout.write(`${metrics}\n\n`);
    if (values.output) {
      await writeOutput(workspace.id, detail, values.output);
      process.stdout.write(`Results written to ${values.output}\n`);
    }
    const threshold = failUnder ?? config.threshold ?? 1;
    if (detail.status !== "completed") {
      process.stdout.write(`The run ended ${detail.status}${detail.error ? `: ${detail.error}` : ""}\n`);
      return 1;
    }
    const below = detail.variants.filter((variant) => (variant.summary.passRate ?? 0) < threshold);
    const goal = threshold === 1 ? "every case passes" : `pass rate ≥ ${formatPercent(threshold)}`;
    if (below.length > 0) {
      process.stdout.write(`FAIL: ${below.map((variant) => variant.label).join(", ")} below the threshold (${goal})\n`);
      return 1;
    }
    process.stdout.write(`PASS: every variant meets the threshold (${goal})\n`);
    return 0;
  } finally {
    mark("finally");
    await stopBoss();
    mark("boss-stopped");

    // Exiting anyway: the database is stopped next and the process ends; the eval's outcome is already printed.
    await db.$disconnect().catch(() => undefined);
    // Its shutdown checkpoint is not the user's business: the process exits while PostgreSQL finishes (the results are
    // committed), and the next start waits for it if it comes that soon.
    await database.stop({ wait: false });
    mark("db-stopped");
    markCpu();
  }
}
