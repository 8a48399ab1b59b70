import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { recordActivity } from "../activity/record.ts";
import { db, Prisma } from "../db.ts";
import { env } from "../env.ts";
import { AppError, messageOf } from "../errors.ts";
import { assembleMessages } from "../prompts/assemble.ts";
import type { PromptContent, TemplateVariables } from "../prompts/types.ts";
import { sleep } from "../llm/semaphore.ts";
import { fineTune } from "./lm/fine-tune.ts";
import { accuracyOf, measureLatency, pickCascade, scoreHeldOut, type HeldOutRow } from "./measure.ts";
import { distillAsync, storeStudent } from "./train.ts";
import { syncStudentModels } from "./student-models.ts";
import {
  CASCADE_PREFIX,
  type DistillationConfig,
  type DistillationReport,
  type FailedRow,
  type LatencySummary,
  type LossPoint,
} from "./types.ts";

// A distillation after its teacher run has started: wait for the run, collect the rows (input = the rendered last
// user message the teacher got, what a student receives from the playground, suites and gateway; output = the
// teacher's answer; failed cells listed and left out), train (the loss appended as it goes, a few writes a second,
// cancel honoured at every epoch), write the Student row once, complete, with its file in the models folder, then
// measure and store the report. Picks up from the stored state, so a retried job resumes where the last one was.

const STUDENT_PREFIX = "student:";
const RUN_POLL_MS = 250;
/** loss points are written at most this often */
const LOSS_FLUSH_MS = 300;

export interface AdvanceOptions {
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** the models folder the student file goes to (default ASSAY_MODELS_DIR) */
  modelsDir?: string;
  /** rethrow a bad-input error (too few examples, free text) after recording the failure (the CLI exits 2) */
  throwErrors?: boolean;
}

export function studentsFolder(modelsDir: string = env.ASSAY_MODELS_DIR): string {
  return path.join(modelsDir, "students");
}

export function studentFileOf(name: string, modelsDir?: string): string {
  return path.join(studentsFolder(modelsDir), `${name}.student.json`);
}

class Stopped extends Error {}

interface CollectedRow {
  caseId: string;
  caseKey: string;
  input: string;
  output: string;
  expected: string | null;
}

interface Collected {
  rows: CollectedRow[];
  failed: FailedRow[];
  /** the teacher's latency (successful cells) and mean cost per call (null when any cell is unpriced) */
  latencies: number[];
  costPerCall: number | null;
}

/** The teacher run's cells as rows; cells that failed (or could not be rendered) go to `failed`. */
export async function collectRows(runId: string): Promise<Collected> {
  const variant = await db.variant.findFirst({ where: { runId }, orderBy: { position: "asc" }, select: { id: true, prompt: true } });
  if (!variant) throw new Error("The teacher run has no variant");
  const prompt = variant.prompt as unknown as PromptContent;
  const results = await db.result.findMany({
    where: { runId, variantId: variant.id, repeat: 0 },
    select: { output: true, error: true, latencyMs: true, cost: true, case: { select: { id: true, key: true, position: true, variables: true, expected: true } } },
  });
  results.sort((a, b) => a.case.position - b.case.position || a.case.id.localeCompare(b.case.id));
  const rows: CollectedRow[] = [];
  const failed: FailedRow[] = [];
  const latencies: number[] = [];
  let cost = 0;
  let priced = results.length > 0;
  for (const result of results) {
    let input: string;
    try {
      const messages = assembleMessages(prompt, (result.case.variables ?? {}) as TemplateVariables);
      const lastUser = [...messages].reverse().find((message) => message.role === "user") ?? messages.at(-1);
      input = typeof lastUser?.content === "string" ? lastUser.content : JSON.stringify(lastUser?.content ?? "");
    } catch (error) {
      failed.push({ caseKey: result.case.key, input: "", error: messageOf(error) });
      continue;
    }
    const error = result.error as { message?: string } | null;
    if (error || result.output === null) {
      failed.push({ caseKey: result.case.key, input, error: error?.message ?? "no output" });
      continue;
    }
    rows.push({ caseId: result.case.id, caseKey: result.case.key, input, output: result.output, expected: result.case.expected });
    if (result.latencyMs !== null) latencies.push(result.latencyMs);
    if (result.cost === null) priced = false;
    else cost += result.cost;
  }
  return { rows, failed, latencies, costPerCall: priced && rows.length > 0 ? cost / rows.length : null };
}

async function waitForRun(runId: string, signal: AbortSignal): Promise<{ status: string; error: string | null }> {
  for (;;) {
    const run = await db.run.findUnique({ where: { id: runId }, select: { status: true, error: true } });
    if (!run) return { status: "deleted", error: "the teacher run was deleted" };
    if (run.status === "completed" || run.status === "failed" || run.status === "cancelled") return run;
    await sleep(RUN_POLL_MS, signal);
  }
}

async function setState(id: string, from: string[], data: Prisma.DistillationUpdateManyMutationInput): Promise<boolean> {
  const { count } = await db.distillation.updateMany({ where: { id, state: { in: from } }, data });
  return count > 0;
}

async function fail(id: string, message: string): Promise<void> {
  if (!(await setState(id, ["collecting", "training", "measuring"], { state: "failed", error: message, finishedAt: new Date() }))) return;
  const row = await db.distillation.findUnique({ where: { id }, select: { workspaceId: true, name: true, promptId: true, createdById: true } });
  if (!row) return;
  await recordActivity({
    workspaceId: row.workspaceId,
    kind: "distillation.failed",
    actorId: row.createdById,
    promptId: row.promptId,
    data: { distillationId: id, name: row.name, error: message.slice(0, 300) },
  });
}

export async function advanceDistillation(id: string, options: AdvanceOptions = {}): Promise<void> {
  const signal = options.signal ?? new AbortController().signal;
  const log = options.log ?? ((line: string) => console.error(`[distill] ${line}`));
  let row = await db.distillation.findUnique({ where: { id } });
  if (!row || !["collecting", "training", "measuring"].includes(row.state)) return;
  if (!row.teacherRunId) {
    await fail(id, "The distillation has no teacher run");
    return;
  }
  if (row.state === "collecting") {
    const run = await waitForRun(row.teacherRunId, signal);
    if (run.status === "cancelled" || run.status === "deleted") {
      await setState(id, ["collecting"], { state: "cancelled", finishedAt: new Date(), ...(run.status === "deleted" ? { error: run.error } : {}) });
      return;
    }
    if (run.status === "failed") {
      await fail(id, `The teacher run failed: ${run.error ?? "unknown error"}`);
      return;
    }
    const { failed } = await collectRows(row.teacherRunId);
    if (!(await setState(id, ["collecting"], { state: "training", failedRows: failed as unknown as Prisma.InputJsonValue, loss: [] }))) return;
    row = await db.distillation.findUnique({ where: { id } });
    if (!row) return;
  }
  try {
    if (row.state === "training") await train(row.id, options.modelsDir, signal, log);
    const current = await db.distillation.findUnique({ where: { id } });
    if (current?.state === "measuring") await measure(current.id, signal, options.modelsDir);
  } catch (error) {
    if (error instanceof Stopped) return;
    if (signal.aborted) throw error;
    log(`distillation ${id} failed: ${messageOf(error)}`);
    await fail(id, messageOf(error));
    if (!(error instanceof AppError) || options.throwErrors) throw error;
  }
}

async function writeStudentFile(file: string, content: object): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const text = JSON.stringify(content);
  await writeFile(temporary, text);
  await rename(temporary, file);
  return Buffer.byteLength(text);
}

async function train(id: string, modelsDir: string | undefined, signal: AbortSignal, log: (line: string) => void): Promise<void> {
  const row = await db.distillation.findUniqueOrThrow({ where: { id } });
  const config = row.config as unknown as DistillationConfig;
  const collected = await collectRows(row.teacherRunId!);
  const points: LossPoint[] = [];
  let written = 0;
  let lastFlush = 0;
  let cancelled = false;
  // Appends the points not yet stored (one UPDATE), and learns whether a cancel was asked for.
  const flush = async (force: boolean) => {
    if (!force && performance.now() - lastFlush < LOSS_FLUSH_MS) return;
    lastFlush = performance.now();
    const fresh = points.slice(written);
    written = points.length;
    const rows = await db.$queryRaw<{ cancelRequested: boolean }[]>`
      UPDATE "Distillation" SET loss = loss::jsonb || ${JSON.stringify(fresh)}::jsonb, "updatedAt" = now()
      WHERE id = ${id} RETURNING "cancelRequested"`;
    if (rows.length === 0 || rows[0]!.cancelRequested) cancelled = true;
  };
  const onLoss = async (point: { epoch: number; loss: number; step?: number }) => {
    points.push({ step: point.step ?? point.epoch, epoch: point.epoch, loss: point.loss });
    await flush(false);
  };
  const shouldStop = async () => {
    if (!cancelled && !signal.aborted && performance.now() - lastFlush >= LOSS_FLUSH_MS) await flush(true);
    return cancelled || signal.aborted;
  };
  const stopped = async () => {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("stopped");
    await setState(id, ["training"], { state: "cancelled", finishedAt: new Date() });
    throw new Stopped();
  };
  const teacher = { teacherConnectionId: row.connectionId, teacherModel: row.model };
  const heldOutRows = (indices: number[]): (HeldOutRow & { caseId: string })[] =>
    indices.map((index) => ({ ...collected.rows[index]!, caseId: collected.rows[index]!.caseId }));

  if (row.studentKind === "lm") {
    const lm = config.lm!;
    const base = await db.localModel.findUnique({ where: { workspaceId_name: { workspaceId: row.workspaceId, name: lm.baseModel } }, select: { path: true } });
    if (!base) throw new AppError("bad_request", "lm.baseModel", `No local model named "${lm.baseModel}" in this workspace`);
    const relative = path.join("students", `${row.name}.gguf`);
    const outFile = path.join(modelsDir ?? env.ASSAY_MODELS_DIR, relative);
    await mkdir(path.dirname(outFile), { recursive: true });
    const controller = new AbortController();
    const stopOnSignal = () => controller.abort(signal.reason);
    signal.addEventListener("abort", stopOnSignal, { once: true });
    // The held-out split for an lm student: every n-th row, so the report can say how it does on unseen inputs.
    const every = Math.max(2, Math.round(1 / config.heldOutShare));
    const heldOut = collected.rows.map((_row, index) => index).filter((index) => index % every === every - 1);
    const trainRows = collected.rows.filter((_row, index) => index % every !== every - 1);
    let result;
    try {
      result = await fineTune({
        baseFile: base.path,
        pairs: trainRows.map((item) => ({ input: item.input, output: item.output })),
        outFile,
        epochs: lm.epochs,
        learningRate: lm.learningRate,
        seed: config.seed,
        signal: controller.signal,
        onLoss: (point) => {
          void onLoss(point).then(async () => {
            if (await shouldStop()) controller.abort(new Error("cancelled"));
          }).catch((error: unknown) => log(`distillation ${id}: writing the loss failed: ${messageOf(error)}`));
        },
      });
    } finally {
      signal.removeEventListener("abort", stopOnSignal);
    }
    await flush(true);
    if (controller.signal.aborted || cancelled) {
      await rm(outFile, { force: true });
      await stopped();
    }
    try {
      await db.student.create({
        data: {
          workspaceId: row.workspaceId,
          name: row.name,
          kind: "lm",
          task: "text",
          classes: [],
          file: relative,
          sizeBytes: result.sizeBytes,
          metrics: { finalLoss: result.finalLoss, epochs: result.epochs, trainTokens: result.trainTokens, trainingMs: result.milliseconds, heldOutCaseIds: heldOutRows(heldOut).map((item) => item.caseId) },
          distillationId: id,
          ...teacher,
        },
      });
      await syncStudentModels(db, row.workspaceId);
    } catch (error) {
      await rm(outFile, { force: true });
      throw error;
    }
    await setState(id, ["training"], { state: "measuring" });
    return;
  }

  const trained = await distillAsync(
    collected.rows.map((item) => ({ input: item.input, output: item.output })),
    { heldOutShare: config.heldOutShare, seed: config.seed, onEpoch: onLoss, shouldStop },
  );
  await flush(true);
  if (!trained || cancelled) await stopped();
  const student = trained!;
  const held = heldOutRows(student.heldOutIndices);
  const scored = scoreHeldOut(student.task, student.classifier, held);
  const { cascade } = pickCascade(scored, config.targetAgreement);
  const file = studentFileOf(row.name, modelsDir);
  const artifact = student.classifier.serialize();
  const sizeBytes = await writeStudentFile(file, { format: "assay-student-1", name: row.name, task: student.task.kind, classes: student.classifier.specs, artifact });
  try {
    // Written once, complete; a cancel that came during the last epoch still wins.
    await db.$transaction(async (transaction) => {
      const current = await transaction.distillation.findUnique({ where: { id }, select: { cancelRequested: true, state: true } });
      if (!current || current.cancelRequested || current.state !== "training") throw new Stopped();
      await storeStudent(transaction, row.workspaceId, row.name, student, {
        distillationId: id,
        sizeBytes,
        cascadeThreshold: cascade?.threshold ?? null,
        ...teacher,
      });
      await transaction.distillation.update({ where: { id }, data: { state: "measuring" } });
    });
  } catch (error) {
    await rm(file, { force: true });
    if (error instanceof Stopped) await stopped();
    throw error;
  }
}

function teacherLatency(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const pick = (share: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!);
  return { calls: sorted.length, p50Ms: pick(0.5), p95Ms: pick(0.95) };
}

async function measure(id: string, signal: AbortSignal, modelsDir: string | undefined): Promise<void> {
  const row = await db.distillation.findUniqueOrThrow({ where: { id }, include: { student: true } });
  const config = row.config as unknown as DistillationConfig;
  const student = row.student;
  if (!student) throw new Error("The student was removed while it was being measured");
  const collected = await collectRows(row.teacherRunId!);
  const failedRows = row.failedRows as unknown as FailedRow[];
  const teacherCostPer1000 = collected.costPerCall === null ? null : collected.costPerCall * 1000;
  const notes: string[] = [];
  let report: DistillationReport;
  if (student.kind === "classifier") {
    const { ClassifierStudent } = await import("./classifier.ts");
    const { distill } = await import("./train.ts");
    const classifier = ClassifierStudent.deserialize(student.artifact);
    // The split and task again (deterministic from the rows and seed): the held-out rows and their measures.
    const rows = collected.rows.map((item) => ({ input: item.input, output: item.output }));
    const split = distill(rows, { heldOutShare: config.heldOutShare, seed: config.seed, epochs: 0 });
    const held = split.heldOutIndices.map((index) => collected.rows[index]!);
    const scored = scoreHeldOut(split.task, classifier, held);
    const { curve } = pickCascade(scored, config.targetAgreement);
    const threshold = student.cascadeThreshold;
    const point = threshold === null ? null : (curve.filter((candidate) => candidate.threshold >= threshold).at(-1) ?? curve[0]!);
    const cascade = point && threshold !== null
      ? { ...point, threshold, targetAgreement: config.targetAgreement, teacherCalls: scored.filter((item) => item.confidence < threshold).length }
      : null;
    const metrics = student.metrics as unknown as { exactMatch: number; heads: DistillationReport["heads"]; trainingMs: number; trainRows: number; heldOutRows: number };
    const inputs = held.map((item) => item.input);
    const studentLatency = await measureLatency(row.workspaceId, `${STUDENT_PREFIX}${row.name}`, inputs, signal);
    const cascadeLatency = await measureLatency(row.workspaceId, `${CASCADE_PREFIX}${row.name}`, inputs, signal);
    if ("error" in studentLatency) notes.push(`student latency not measured: ${studentLatency.error}`);
    if ("error" in cascadeLatency) notes.push(`cascade latency not measured: ${cascadeLatency.error}`);
    report = {
      task: split.task.kind,
      studentKind: "classifier",
      rows: { total: collected.rows.length + failedRows.length, train: metrics.trainRows, heldOut: metrics.heldOutRows, failed: failedRows.length },
      exactMatch: metrics.exactMatch,
      heads: metrics.heads,
      accuracy: accuracyOf(split.task, held, scored, threshold),
      latency: {
        student: "summary" in studentLatency ? studentLatency.summary : { calls: 0, p50Ms: 0, p95Ms: 0 },
        cascade: "summary" in cascadeLatency ? cascadeLatency.summary : null,
        teacher: teacherLatency(collected.latencies),
      },
      costPer1000: {
        student: 0,
        cascade: teacherCostPer1000 === null || !cascade ? null : teacherCostPer1000 * (1 - cascade.coverage),
        teacher: teacherCostPer1000,
      },
      sizeBytes: student.sizeBytes ?? 0,
      trainingMs: metrics.trainingMs,
      curve,
      cascade,
      lm: null,
      heldOutCaseIds: held.map((item) => item.caseId),
    };
  } else {
    const metrics = student.metrics as unknown as { finalLoss: number; epochs: number; trainTokens: number; trainingMs: number; heldOutCaseIds: string[] };
    const held = collected.rows.filter((item) => metrics.heldOutCaseIds.includes(item.caseId));
    const studentLatency = await measureLatency(row.workspaceId, `${STUDENT_PREFIX}${row.name}`, held.map((item) => item.input), signal);
    if ("error" in studentLatency) notes.push(`student latency not measured: ${studentLatency.error}`);
    const size = student.file ? await stat(path.join(modelsDir ?? env.ASSAY_MODELS_DIR, student.file)).then((info) => info.size) : (student.sizeBytes ?? 0);
    report = {
      task: "text",
      studentKind: "lm",
      rows: { total: collected.rows.length + failedRows.length, train: collected.rows.length - held.length, heldOut: held.length, failed: failedRows.length },
      // greedy outputs of student:<name> on (up to LATENCY_CALLS) held-out inputs, exactly the teacher's
      exactMatch:
        "summary" in studentLatency && studentLatency.outputs.length > 0
          ? studentLatency.outputs.filter((output, index) => output.trim() === held[index]!.output.trim()).length / studentLatency.outputs.length
          : 0,
      heads: [],
      accuracy: null,
      latency: { student: "summary" in studentLatency ? studentLatency.summary : { calls: 0, p50Ms: 0, p95Ms: 0 }, cascade: null, teacher: teacherLatency(collected.latencies) },
      costPer1000: { student: 0, cascade: null, teacher: teacherCostPer1000 },
      sizeBytes: size,
      trainingMs: metrics.trainingMs,
      curve: [],
      cascade: null,
      lm: { epochs: metrics.epochs, finalLoss: metrics.finalLoss, trainTokens: metrics.trainTokens },
      heldOutCaseIds: metrics.heldOutCaseIds,
    };
  }
  const done = await db.$transaction(async (transaction) => {
    const current = await transaction.distillation.findUnique({ where: { id }, select: { cancelRequested: true } });
    if (!current) return false;
    if (current.cancelRequested) {
      // Cancelled while measuring: nothing stays registered.
      await transaction.student.deleteMany({ where: { distillationId: id } });
      await transaction.distillation.update({ where: { id }, data: { state: "cancelled", finishedAt: new Date() } });
      await syncStudentModels(transaction, row.workspaceId);
      return false;
    }
    await transaction.distillation.update({
      where: { id },
      data: { state: "done", report: report as unknown as Prisma.InputJsonValue, finishedAt: new Date(), error: notes.length > 0 ? notes.join("; ") : null },
    });
    await recordActivity(
      { workspaceId: row.workspaceId, kind: "distillation.done", actorId: row.createdById, promptId: row.promptId, data: { distillationId: id, name: row.name, agreement: report.exactMatch } },
      transaction,
    );
    return true;
  });
  if (!done && student.kind === "classifier") await rm(studentFileOf(row.name, modelsDir), { force: true });
}
