import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

// `assay distill`: a student distilled from a teacher, in three forms.
//   assay distill <suite.yaml> --name N [--student classifier|lm] [--min-agreement 0.95]: the suite file (the
//     `assay eval` format) gives the teacher (its first prompt × first target) and the dataset (its cases, no
//     `expected` needed); the teacher runs in this process (inline targets may read keys with apiKeyEnv).
//   assay distill --prompt <name@label> --target <connection/model> --suite <name> --name N: stored ones.
//   assay distill --name N --from rows.jsonl: the teacher's input → output pairs given directly.
// All print the report and store the student in the workspace (and, for the first two, its file in the models
// folder), where `assay serve-model` serves it as student:<name>. A student below --min-agreement is not stored
// (exit 1); bad input changes nothing (exit 2).

const HELP = `Usage: assay distill <suite.yaml> --name <student> [options]
       assay distill --prompt <name@label> --target <connection/model> --suite <name> --name <student> [options]
       assay distill --name <student> --from <rows.jsonl> [options]

  <suite.yaml>            a suite file (the assay eval format): its first prompt × first target is the teacher,
                          its cases the dataset
  --prompt <name@label>   a stored prompt version as the teacher (name, name@3 or name@label)
  --target <conn/model>   the teacher's stored connection and model, e.g. "OpenAI/gpt-4o-mini"
  --suite <name>          a stored suite whose cases are the dataset
  --from <rows.jsonl>     the teacher's outputs: one {"input": "...", "output": "..."} per line
  --name <student>        the student's name (served as student:<name>)
  --student <kind>        classifier (default) or lm (experimental: fine-tunes --base)
  --base <local model>    lm students: the local model (F32 GGUF) to fine-tune
  --workspace <slug>      the workspace to store it in (default: the first one)
  --min-agreement <0..1>  refuse to store a student whose held-out agreement is lower (exit 1)
  --seed <n>              seed of the split and the training (default 1)
`;

function fail(message: string, code = 2): number {
  process.stderr.write(`assay distill: ${message}\n`);
  return code;
}

export function parseRowsJsonl(text: string, file: string): { input: string; output: string }[] {
  const rows: { input: string; output: string }[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${file} line ${index + 1}: not JSON (${(error as Error).message})`);
    }
    const row = value as { input?: unknown; output?: unknown } | null;
    if (!row || typeof row.input !== "string" || typeof row.output !== "string") {
      throw new Error(`${file} line ${index + 1}: needs "input" and "output" strings`);
    }
    rows.push({ input: row.input, output: row.output });
  });
  if (rows.length === 0) throw new Error(`${file}: no rows`);
  return rows;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        name: { type: "string" },
        from: { type: "string" },
        prompt: { type: "string" },
        target: { type: "string" },
        suite: { type: "string" },
        student: { type: "string" },
        base: { type: "string" },
        workspace: { type: "string" },
        "min-agreement": { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.name) return fail(`--name: give the student's name\n\n${HELP}`);
  if (positionals.length > 1) return fail(`give one suite file\n\n${HELP}`);
  const forms = [positionals.length === 1, values.prompt !== undefined || values.target !== undefined || values.suite !== undefined, values.from !== undefined].filter(Boolean).length;
  if (forms === 0) return fail(`give a suite file, --prompt/--target/--suite, or --from rows.jsonl\n\n${HELP}`);
  if (forms > 1) return fail(`give only one of: a suite file, --prompt/--target/--suite, --from rows.jsonl\n\n${HELP}`);
  if (values.student !== undefined && values.student !== "classifier" && values.student !== "lm") {
    return fail(`--student must be classifier or lm (got "${values.student}")`);
  }
  if (values.student === "lm" && !values.base) return fail("--base: an lm student needs the local model to fine-tune");
  if (values.from && values.student === "lm") return fail("--from trains a classifier student only");
  const minAgreement = values["min-agreement"] === undefined ? undefined : Number(values["min-agreement"]);
  if (minAgreement !== undefined && !(minAgreement >= 0 && minAgreement <= 1)) {
    return fail(`--min-agreement must be a number from 0 to 1 (got "${values["min-agreement"]}")`);
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) return fail(`--seed must be an integer (got "${values.seed}")`);
  if (!values.from) {
    return distillTeacher({
      name: values.name,
      suiteFile: positionals[0],
      prompt: values.prompt,
      target: values.target,
      suite: values.suite,
      studentKind: values.student === "lm" ? "lm" : "classifier",
      base: values.base,
      workspace: values.workspace,
      minAgreement,
      seed,
    });
  }

  const { AppError } = await import("../../lib/errors.ts");
  const { checkStudentName, distill, storeStudent } = await import("../../lib/distill/train.ts");
  const { studentReport } = await import("../../lib/distill/report.ts");
  let trained;
  try {
    checkStudentName(values.name);
    const text = await readFile(values.from, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${values.from}: cannot read (${error.code ?? error.message})`);
    });
    trained = distill(parseRowsJsonl(text, values.from), { seed });
  } catch (error) {
    return fail((error as Error).message);
  }

  const { openDatabase } = await import("../../lib/runtime/database.ts");
  const database = await openDatabase();
  const { db } = await import("../../lib/db.ts");
  try {
    const { chooseWorkspace, UsageError } = await import("./eval-shared.ts");
    try {
      const workspace = await chooseWorkspace(values.workspace);
      process.stdout.write(studentReport(values.name, trained.metrics));
      if (minAgreement !== undefined && trained.metrics.exactMatch < minAgreement) {
        return fail(`agreement ${trained.metrics.exactMatch.toFixed(3)} is below --min-agreement ${minAgreement}: the student was not stored`, 1);
      }
      await storeStudent(db, workspace.id, values.name, trained);
      process.stdout.write(`\nStored in ${workspace.name}; \`assay serve-model\` serves it as student:${values.name}\n`);
      return 0;
    } catch (error) {
      if (error instanceof UsageError || error instanceof AppError) return fail(error.message);
      throw error;
    }
  } finally {
    // Exiting anyway: the outcome is printed and the database is stopped next.
    await db.$disconnect().catch(() => undefined);
    await database.stop();
  }
}

interface TeacherForm {
  name: string;
  suiteFile: string | undefined;
  prompt: string | undefined;
  target: string | undefined;
  suite: string | undefined;
  studentKind: "classifier" | "lm";
  base: string | undefined;
  workspace: string | undefined;
  minAgreement: number | undefined;
  seed: number;
}

/** The suite-file and stored forms: the teacher runs as an ordinary run worked by this process, then the pipeline. */
async function distillTeacher(form: TeacherForm): Promise<number> {
  if (!form.suiteFile && (!form.prompt || !form.target || !form.suite)) {
    return fail(`the stored form needs all of --prompt <name@label>, --target <connection/model> and --suite <name>\n\n${HELP}`);
  }
  let suiteText: string | null = null;
  const suitePath = form.suiteFile ? path.resolve(form.suiteFile) : null;
  if (suitePath) {
    try {
      suiteText = await readFile(suitePath, "utf8");
    } catch (error) {
      return fail(`cannot read ${form.suiteFile}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
    }
  }
  const { AppError, messageOf } = await import("../../lib/errors.ts");
  const { checkStudentName } = await import("../../lib/distill/train.ts");
  try {
    checkStudentName(form.name);
  } catch (error) {
    if (error instanceof AppError) return fail(error.message);
    throw error;
  }
  let parsedFile = null;
  if (suiteText !== null) {
    const { parseSuiteFile } = await import("../../lib/suite-file/parse.ts");
    try {
      parsedFile = parseSuiteFile(suiteText, form.suiteFile!);
    } catch (error) {
      if (error instanceof AppError) return fail(`invalid suite file\n${error.message}`);
      throw error;
    }
  }

  const { openDatabase } = await import("../../lib/runtime/database.ts");
  const database = await openDatabase();
  const { db } = await import("../../lib/db.ts");
  const { stopBoss, privateQueue, deleteQueue } = await import("../../lib/runs/queue.ts");
  try {
    const { chooseWorkspace, progressReporter, UsageError } = await import("./eval-shared.ts");
    const service = await import("../../lib/distill/service.ts");
    const { advanceDistillation } = await import("../../lib/distill/pipeline.ts");
    const { distillationReportText } = await import("../../lib/distill/report.ts");
    const { RunWorker } = await import("../../lib/runs/worker.ts");
    const { waitForRun } = await import("../../lib/runs/wait.ts");
    const { cancelRun } = await import("../../lib/runs/control.ts");
    const lm = form.studentKind === "lm" ? { baseModel: form.base!, epochs: 8, learningRate: 1e-3 } : null;
    let workspace;
    let id: string;
    try {
      workspace = await chooseWorkspace(form.workspace);
      const options = { privateQueue: true, allowEnvironmentKeys: true, source: "cli" as const, noJob: true };
      if (parsedFile) {
        const taken = await Promise.all([
          db.student.findUnique({ where: { workspaceId_name: { workspaceId: workspace.id, name: form.name } }, select: { id: true } }),
          db.distillation.findUnique({ where: { workspaceId_name: { workspaceId: workspace.id, name: form.name } }, select: { id: true } }),
        ]);
        if (taken.some(Boolean)) throw new AppError("conflict", "name", `A student or distillation named "${form.name}" already exists in this workspace`);
        if (lm && !(await db.localModel.findUnique({ where: { workspaceId_name: { workspaceId: workspace.id, name: lm.baseModel } }, select: { id: true } }))) {
          throw new AppError("bad_request", "lm.baseModel", `--base: no local model named "${lm.baseModel}" in this workspace`);
        }
        const { prepareEval } = await import("../../lib/suite-file/prepare.ts");
        const prepared = await prepareEval(workspace.id, parsedFile, form.suiteFile!, path.dirname(suitePath!)).catch((error: unknown) => {
          if (error instanceof AppError) throw new AppError(error.code, error.subject, `invalid suite file\n${error.message}`, error.details);
          throw error;
        });
        const variant = prepared.variants[0]!;
        const version = variant.versionId ? await db.promptVersion.findUnique({ where: { id: variant.versionId }, select: { promptId: true } }) : null;
        ({ id } = await service.startDistillation(
          workspace.id,
          null,
          {
            name: form.name,
            studentKind: form.studentKind,
            promptId: version?.promptId ?? null,
            versionId: variant.versionId ?? null,
            label: null,
            connectionId: variant.connectionId ?? null,
            model: variant.model,
            variant: { ...variant, label: `teacher · ${variant.label ?? variant.model}` },
            suiteId: prepared.suiteId,
            caseIds: prepared.caseIds,
            config: { sources: { suiteId: prepared.suiteId, calls: 0, uploadedRows: 0 }, heldOutShare: 0.2, seed: form.seed, targetAgreement: 0.98, lm },
          },
          options,
        ));
      } else {
        const { resolveVersionRef, parseVersionRef } = await import("../../lib/prompts/labels.ts");
        const { getSuiteByName } = await import("../../lib/suites/suites.ts");
        const resolved = await resolveVersionRef(workspace.id, form.prompt!);
        const reference = parseVersionRef(form.prompt!);
        const slash = form.target!.indexOf("/");
        if (slash <= 0 || slash === form.target!.length - 1) throw new UsageError(`--target must be <connection>/<model>, not "${form.target}"`);
        const connectionName = form.target!.slice(0, slash);
        const model = form.target!.slice(slash + 1);
        const connection = await db.connection.findFirst({ where: { workspaceId: workspace.id, name: connectionName }, select: { id: true } });
        if (!connection) throw new UsageError(`--target: no connection named "${connectionName}" in ${workspace.name}`);
        const suite = await getSuiteByName(workspace.id, form.suite!);
        if (!suite) throw new UsageError(`--suite: no suite named "${form.suite}" in ${workspace.name}`);
        ({ id } = await service.createDistillation(
          workspace.id,
          null,
          {
            name: form.name,
            studentKind: form.studentKind,
            teacher: {
              promptId: resolved.prompt.id,
              ...(reference.kind === "label" ? { label: reference.label } : { versionId: resolved.version.id }),
              connectionId: connection.id,
              model,
            },
            sources: { suiteId: suite.id },
            seed: form.seed,
            ...(lm ? { lm } : {}),
          },
          options,
        ));
      }
    } catch (error) {
      if (error instanceof UsageError || error instanceof AppError) return fail(error.message);
      throw error;
    }

    const started = await service.getDistillation(workspace.id, id);
    const runId = started.teacherRun!.id;
    process.stdout.write(`Distillation ${form.name} (${workspace.name}): the teacher runs on ${started.teacherRun!.total} cases (run ${runId})\n`);
    const worker = new RunWorker({ shared: false, queues: [privateQueue(runId)], log: (line) => process.stderr.write(`[worker] ${line}\n`) });
    await worker.start();
    const interrupted = new AbortController();
    const onSignal = () => interrupted.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const reporter = progressReporter();
    const progress = await waitForRun(runId, { onProgress: (update) => reporter.update(update), signal: interrupted.signal });
    reporter.end();
    await worker.stop();
    await deleteQueue(privateQueue(runId)).catch((error: unknown) =>
      process.stderr.write(`warning: could not delete the teacher run's private queue: ${messageOf(error)}\n`),
    );
    if (interrupted.signal.aborted && progress.status !== "completed") {
      await cancelRun(workspace.id, runId);
      await service.cancelDistillation(workspace.id, id, null);
      process.stderr.write("Interrupted: the teacher run and the distillation are cancelled\n");
      return 1;
    }
    process.stdout.write(`Training the ${form.studentKind} student…\n`);
    try {
      await advanceDistillation(id, { signal: interrupted.signal, log: (line) => process.stderr.write(`[distill] ${line}\n`), throwErrors: true });
    } catch (error) {
      if (error instanceof AppError) return fail(error.message);
      throw error;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    const view = await service.getDistillation(workspace.id, id);
    if (view.state !== "done" || !view.report) {
      process.stderr.write(`assay distill: the distillation ended ${view.state}${view.error ? `: ${view.error}` : ""}\n`);
      return 1;
    }
    process.stdout.write(`\n${distillationReportText(form.name, view.report, view.failedRows)}`);
    if (view.error) process.stdout.write(`Note: ${view.error}\n`);
    if (form.minAgreement !== undefined && view.report.exactMatch < form.minAgreement) {
      await service.removeStudent(workspace.id, id, `agreement below --min-agreement ${form.minAgreement}: the student was not stored`);
      return fail(`agreement ${view.report.exactMatch.toFixed(3)} is below --min-agreement ${form.minAgreement}: the student was not stored`, 1);
    }
    process.stdout.write(`\nStored in ${workspace.name}; \`assay serve-model\` serves it as student:${form.name}${view.report.cascade ? ` and cascade:${form.name}` : ""}\n`);
    return 0;
  } finally {
    await stopBoss();
    // Exiting anyway: the outcome is printed and the database is stopped next.
    await db.$disconnect().catch(() => undefined);
    await database.stop();
  }
}
