import { Readable } from "node:stream";
import { rm } from "node:fs/promises";
import path from "node:path";
import { recordActivity } from "../activity/record.ts";
import { db, Prisma } from "../db.ts";
import { env } from "../env.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import { validatePrompt } from "../prompts/render.ts";
import type { ModelParams } from "../prompts/schema.ts";
import type { PromptContent } from "../prompts/types.ts";
import { resolveTarget } from "../connections/service.ts";
import { parseCases } from "../suites/parse-cases.ts";
import { insertCases, newCaseId, type CaseRow } from "../suites/import-cases.ts";
import { parseInput } from "../suites/suites.ts";
import { createRun, type CreateRunOptions } from "../runs/create-run.ts";
import type { VariantSpec } from "../runs/types.ts";
import { cancelRun } from "../runs/control.ts";
import type { HeadSpec } from "./classifier.ts";
import { pickThreshold } from "./cascade-curve.ts";
import { enqueueDistillation } from "./jobs.ts";
import { studentFileOf } from "./pipeline.ts";
import { syncStudentModels } from "./student-models.ts";
import {
  cascadeThresholdInput,
  compareDistillationInput,
  createDistillationInput,
  type CascadeThresholdInput,
  type CompareDistillationInput,
  type CreateDistillationInput,
} from "./schema.ts";
import { checkStudentName } from "./train.ts";
import {
  CASCADE_PREFIX,
  FINAL_STATES,
  type CurvePoint,
  type DistillationConfig,
  type DistillationReport,
  type DistillationState,
  type DistillationView,
  type FailedRow,
  type LossPoint,
  type StudentKind,
} from "./types.ts";

// Distillations as the API, the screens and the CLI see them. createDistillation checks everything before writing
// anything (name, teacher version or label, connection and model, suite, base model, every row's variables), then
// writes the dataset suite (when it is not simply the given suite), the Distillation row and the teacher run, and
// enqueues the pipeline's job (jobs.ts), which waits for the run, trains and measures (pipeline.ts).

const STUDENT_PREFIX = "student:";

export interface CreateDistillationOptions {
  /** runs the teacher run on a queue of its own (the CLI works it in-process) */
  privateQueue?: boolean;
  allowEnvironmentKeys?: boolean;
  source?: CreateRunOptions["source"];
  /** do not enqueue the pipeline job (the CLI drives the pipeline itself) */
  noJob?: boolean;
}

function bad(path: string, message: string): AppError {
  return new AppError("bad_request", "distillation", `${path}: ${message}`, [{ path, message }]);
}

function notFound(): AppError {
  return new AppError("not_found", "distillation", "No such distillation in this workspace.");
}

function nameTaken(name: string): AppError {
  return new AppError("conflict", "name", `A student or distillation named "${name}" already exists in this workspace`, [
    { path: "name", message: "taken" },
  ]);
}

/** Variables as a stable key: the same values in another key order are the same input. */
function variablesKey(variables: Record<string, unknown>): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])]));
    }
    return value;
  };
  return JSON.stringify(sorted(variables));
}

interface TeacherVersion {
  id: string;
  number: number;
  prompt: PromptContent;
  label: string | null;
  promptName: string;
  /** the version's saved call parameters (temperature, maxTokens, …): the teacher runs as the version is set up */
  params: ModelParams;
}

async function resolveTeacherVersion(workspaceId: string, teacher: { promptId: string; versionId?: string | undefined; label?: string | undefined }): Promise<TeacherVersion> {
  const prompt = await db.prompt.findFirst({ where: { id: teacher.promptId, workspaceId }, select: { id: true, name: true } });
  if (!prompt) throw bad("teacher.promptId", "no such prompt in this workspace");
  let versionId = teacher.versionId;
  if (teacher.label) {
    const label = await db.promptLabel.findUnique({ where: { promptId_name: { promptId: prompt.id, name: teacher.label } } });
    if (!label) throw bad("teacher.label", `prompt "${prompt.name}" has no label "${teacher.label}"`);
    versionId = label.versionId;
  }
  const version = await db.promptVersion.findFirst({
    where: { promptId: prompt.id, ...(versionId ? { id: versionId } : {}) },
    orderBy: { number: "desc" },
  });
  if (!version) {
    throw teacher.versionId ? bad("teacher.versionId", `no such version of prompt "${prompt.name}"`) : bad("teacher.promptId", `prompt "${prompt.name}" has no versions`);
  }
  return {
    id: version.id,
    number: version.number,
    label: teacher.label ?? null,
    promptName: prompt.name,
    params: version.params as ModelParams,
    prompt: {
      messages: version.messages as unknown as PromptContent["messages"],
      examples: version.examples as unknown as PromptContent["examples"],
      counterexamples: version.counterexamples as unknown as PromptContent["counterexamples"],
      exampleMode: version.exampleMode,
    },
  };
}

interface DatasetCase {
  key: string;
  variables: Record<string, unknown>;
  expected: string | null;
  tags: string[];
  assertions: unknown[];
  /** where it came from, for error messages */
  origin: string;
}

async function uploadedCases(rows: { format: "csv" | "jsonl"; text: string }): Promise<DatasetCase[]> {
  const cases: DatasetCase[] = [];
  for await (const parsed of parseCases(Readable.from([rows.text]), rows.format, { sourceName: "sources.rows" })) {
    cases.push({
      key: parsed.keyGiven ? parsed.key : `row-${parsed.row}`,
      variables: parsed.variables,
      expected: parsed.expected,
      tags: parsed.tags,
      assertions: parsed.assertions,
      origin: `sources.rows row ${parsed.row}`,
    });
  }
  if (cases.length === 0) throw bad("sources.rows", "no rows in the uploaded file");
  return cases;
}

/** The prompt's stored calls (playground, gateway), newest first, deduplicated by variables, at most `limit`. */
async function callCases(workspaceId: string, promptId: string, limit: number, seen: Set<string>): Promise<DatasetCase[]> {
  const cases: DatasetCase[] = [];
  let cursor: { id: string } | undefined;
  while (cases.length < limit) {
    const rows = await db.call.findMany({
      where: { workspaceId, promptId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 1_000,
      ...(cursor ? { cursor, skip: 1 } : {}),
      select: { id: true, variables: true },
    });
    for (const row of rows) {
      const variables = (row.variables ?? {}) as Record<string, unknown>;
      const key = variablesKey(variables);
      if (seen.has(key)) continue;
      seen.add(key);
      cases.push({ key: `call-${row.id}`, variables, expected: null, tags: ["call"], assertions: [], origin: `stored call ${row.id}` });
      if (cases.length >= limit) break;
    }
    if (rows.length < 1_000) break;
    cursor = { id: rows.at(-1)!.id };
  }
  return cases;
}

function checkVariables(prompt: PromptContent, cases: DatasetCase[]): void {
  const { variables } = validatePrompt(prompt);
  for (const item of cases) {
    const missing = variables.find((name) => !Object.hasOwn(item.variables, name));
    if (missing) {
      throw new AppError("bad_request", "distillation", `${item.origin}: no variable "${missing}", which the teacher prompt uses`, [
        { path: item.origin.startsWith("sources.rows") ? "sources.rows" : "sources.calls", message: `lacks "${missing}"` },
      ]);
    }
  }
}

export async function createDistillation(
  workspaceId: string,
  userId: string | null,
  rawInput: CreateDistillationInput,
  options: CreateDistillationOptions = {},
): Promise<{ id: string }> {
  const input = parseInput(createDistillationInput, rawInput, "distillation");
  checkStudentName(input.name);
  const [student, existing] = await Promise.all([
    db.student.findUnique({ where: { workspaceId_name: { workspaceId, name: input.name } }, select: { id: true } }),
    db.distillation.findUnique({ where: { workspaceId_name: { workspaceId, name: input.name } }, select: { id: true } }),
  ]);
  if (student || existing) throw nameTaken(input.name);

  const version = await resolveTeacherVersion(workspaceId, input.teacher);
  try {
    await resolveTarget(workspaceId, input.teacher.connectionId, input.teacher.model);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") throw bad("teacher.connectionId", "no such connection in this workspace");
    throw error;
  }
  const suite = input.sources.suiteId
    ? await db.suite.findFirst({ where: { id: input.sources.suiteId, workspaceId }, select: { id: true, name: true, assertions: true } })
    : null;
  if (input.sources.suiteId && !suite) throw bad("sources.suiteId", "no such suite in this workspace");
  if (input.lm) {
    const base = await db.localModel.findUnique({ where: { workspaceId_name: { workspaceId, name: input.lm.baseModel } }, select: { id: true } });
    if (!base) throw bad("lm.baseModel", `no local model named "${input.lm.baseModel}" in this workspace`);
  }

  // The dataset: the suite as is when it is the only source; otherwise a new suite of all sources' cases.
  const uploaded = input.sources.rows ? await uploadedCases(input.sources.rows) : [];
  const callLimit = input.sources.calls ?? 0;
  const onlySuite = suite !== null && uploaded.length === 0 && callLimit === 0;
  let extra: DatasetCase[] = [];
  if (!onlySuite) {
    const suiteCases = suite
      ? (await db.case.findMany({ where: { suiteId: suite.id }, orderBy: [{ position: "asc" }, { id: "asc" }] })).map(
          (row): DatasetCase => ({
            key: row.key,
            variables: (row.variables ?? {}) as Record<string, unknown>,
            expected: row.expected,
            tags: row.tags,
            assertions: row.assertions as unknown[],
            origin: `case "${row.key}" of suite "${suite.name}"`,
          }),
        )
      : [];
    const seen = new Set(suiteCases.map((item) => variablesKey(item.variables)));
    const calls = callLimit > 0 ? await callCases(workspaceId, input.teacher.promptId, callLimit, seen) : [];
    extra = [...suiteCases, ...calls, ...uploaded];
    if (extra.length === 0) throw bad("sources", "the sources give no cases (the prompt has no stored calls)");
    checkVariables(version.prompt, [...calls, ...uploaded]);
    // Keys are unique in a suite: a repeated one gets a suffix.
    const keys = new Set<string>();
    for (const item of extra) {
      let key = item.key;
      for (let n = 2; keys.has(key); n++) key = `${item.key}-${n}`;
      keys.add(key);
      item.key = key;
    }
  }

  const config: DistillationConfig = {
    sources: { suiteId: suite?.id ?? null, calls: callLimit, uploadedRows: uploaded.length },
    heldOutShare: input.heldOutShare,
    seed: input.seed,
    targetAgreement: input.targetAgreement,
    lm: input.lm ? { baseModel: input.lm.baseModel, epochs: input.lm.epochs, learningRate: input.lm.learningRate } : null,
  };

  let createdSuiteId: string | null = null;
  const datasetSuiteId = async (): Promise<string> => {
    if (onlySuite) return suite.id;
    const suiteName = `distill · ${input.name}`;
    createdSuiteId = await db.$transaction(async (transaction) => {
      let created;
      try {
        created = await transaction.suite.create({
          data: {
            workspaceId,
            name: suiteName,
            description: `The dataset of distillation ${input.name}`,
            assertions: (suite?.assertions ?? []) as Prisma.InputJsonValue,
          },
          select: { id: true },
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new AppError("conflict", "suite", `A suite named "${suiteName}" already exists: rename or delete it first`, [
            { path: "name", message: "dataset suite name taken" },
          ]);
        }
        throw error;
      }
      const rows: CaseRow[] = extra.map((item, position) => ({
        id: newCaseId(),
        suiteId: created.id,
        position,
        key: item.key,
        variables: item.variables,
        expected: item.expected,
        tags: item.tags,
        assertions: item.assertions,
      }));
      for (let start = 0; start < rows.length; start += 1_000) await insertCases(transaction, rows.slice(start, start + 1_000));
      return created.id;
    });
    return createdSuiteId;
  };
  try {
    return await startDistillation(
      workspaceId,
      userId,
      {
        name: input.name,
        studentKind: input.studentKind,
        promptId: input.teacher.promptId,
        versionId: version.id,
        label: version.label,
        connectionId: input.teacher.connectionId,
        model: input.teacher.model,
        variant: {
          label: `teacher · ${version.promptName} v${version.number} · ${input.teacher.model}`,
          versionId: version.id,
          connectionId: input.teacher.connectionId,
          model: input.teacher.model,
          params: version.params,
        },
        suiteId: datasetSuiteId,
        config,
      },
      options,
    );
  } catch (error) {
    // Nothing half-written: the dataset suite goes with the failure (startDistillation removed its own rows).
    if (createdSuiteId) await db.suite.delete({ where: { id: createdSuiteId } });
    throw error;
  }
}

export interface DistillationStart {
  name: string;
  studentKind: StudentKind;
  promptId: string | null;
  versionId: string | null;
  label: string | null;
  connectionId: string | null;
  model: string;
  /** the teacher as a run variant (a stored version or an inline prompt; a connection or an inline target) */
  variant: VariantSpec;
  /** the dataset suite, or a function that writes it (called once the name is reserved) */
  suiteId: string | (() => Promise<string>);
  caseIds?: string[] | null;
  config: DistillationConfig;
}

/**
 * Reserves the name (the Distillation row, state collecting), starts the teacher run and enqueues the job. Used by
 * createDistillation and by `assay distill <suite.yaml>` (whose teacher may be an inline prompt and target). On any
 * failure the row is removed again.
 */
export async function startDistillation(
  workspaceId: string,
  userId: string | null,
  start: DistillationStart,
  options: CreateDistillationOptions = {},
): Promise<{ id: string }> {
  checkStudentName(start.name);
  if (await db.student.findUnique({ where: { workspaceId_name: { workspaceId, name: start.name } }, select: { id: true } })) throw nameTaken(start.name);
  let distillationId: string;
  try {
    distillationId = (
      await db.distillation.create({
        data: {
          workspaceId,
          name: start.name,
          studentKind: start.studentKind,
          state: "collecting",
          promptId: start.promptId,
          versionId: start.versionId,
          label: start.label,
          connectionId: start.connectionId,
          model: start.model,
          suiteId: typeof start.suiteId === "string" ? start.suiteId : null,
          config: start.config as unknown as Prisma.InputJsonValue,
          createdById: userId,
        },
        select: { id: true },
      })
    ).id;
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(start.name);
    throw error;
  }
  try {
    const suiteId = typeof start.suiteId === "string" ? start.suiteId : await start.suiteId();
    const run = await createRun(
      workspaceId,
      userId,
      {
        suiteId,
        name: `distill · ${start.name} · teacher`,
        variants: [start.variant],
        ...(start.caseIds ? { caseIds: start.caseIds } : {}),
      },
      { source: options.source ?? "api", privateQueue: options.privateQueue ?? false, allowEnvironmentKeys: options.allowEnvironmentKeys ?? false },
    );
    await db.distillation.update({ where: { id: distillationId }, data: { teacherRunId: run.id, suiteId } });
    if (!options.noJob) await enqueueDistillation(distillationId);
    await recordActivity({ workspaceId, kind: "distillation.started", actorId: userId, promptId: start.promptId, data: { distillationId, name: start.name, runId: run.id } });
  } catch (error) {
    await db.distillation.delete({ where: { id: distillationId } });
    throw error;
  }
  return { id: distillationId };
}

const viewInclude = {
  student: { select: { id: true, name: true, kind: true, classes: true, sizeBytes: true, cascadeThreshold: true } },
} satisfies Prisma.DistillationInclude;

type DistillationRow = Prisma.DistillationGetPayload<{ include: typeof viewInclude }>;

async function toViews(rows: DistillationRow[], light: boolean): Promise<DistillationView[]> {
  const ids = (values: (string | null)[]) => [...new Set(values.filter((value): value is string => value !== null))];
  const [prompts, versions, connections, suites, runs, users] = await Promise.all([
    db.prompt.findMany({ where: { id: { in: ids(rows.map((row) => row.promptId)) } }, select: { id: true, name: true } }),
    db.promptVersion.findMany({ where: { id: { in: ids(rows.map((row) => row.versionId)) } }, select: { id: true, number: true } }),
    db.connection.findMany({ where: { id: { in: ids(rows.map((row) => row.connectionId)) } }, select: { id: true, name: true } }),
    db.suite.findMany({ where: { id: { in: ids(rows.map((row) => row.suiteId)) } }, select: { id: true, name: true } }),
    db.run.findMany({ where: { id: { in: ids(rows.map((row) => row.teacherRunId)) } }, select: { id: true, status: true, totalCells: true, config: true } }),
    db.user.findMany({ where: { id: { in: ids(rows.map((row) => row.createdById)) } }, select: { id: true, name: true } }),
  ]);
  const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((item) => [item.id, item]));
  const [promptById, versionById, connectionById, suiteById, runById, userById] = [byId(prompts), byId(versions), byId(connections), byId(suites), byId(runs), byId(users)];
  // Live counts for runs still going; a finished run keeps its snapshot in its config.
  const activeRunIds = runs.filter((run) => !(run.config as { final?: unknown }).final).map((run) => run.id);
  const counts = activeRunIds.length
    ? await db.result.groupBy({ by: ["runId"], where: { runId: { in: activeRunIds } }, _count: { _all: true, error: true } })
    : [];
  const liveCounts = new Map(counts.map((row) => [row.runId, { done: row._count._all, failed: row._count.error }]));
  return rows.map((row): DistillationView => {
    const run = row.teacherRunId ? runById.get(row.teacherRunId) : undefined;
    const final = run ? (run.config as { final?: { done: number; errors: number } }).final : undefined;
    const progress = run ? (final ? { done: final.done, failed: final.errors } : (liveCounts.get(run.id) ?? { done: 0, failed: 0 })) : null;
    const loss = row.loss as unknown as LossPoint[];
    const studentKind = row.studentKind as StudentKind;
    return {
      id: row.id,
      name: row.name,
      studentKind,
      state: row.state as DistillationState,
      teacher: {
        promptId: row.promptId,
        promptName: row.promptId ? (promptById.get(row.promptId)?.name ?? null) : null,
        versionId: row.versionId,
        versionNumber: row.versionId ? (versionById.get(row.versionId)?.number ?? null) : null,
        label: row.label,
        connectionId: row.connectionId,
        connectionName: row.connectionId ? (connectionById.get(row.connectionId)?.name ?? null) : null,
        model: row.model,
      },
      suite: row.suiteId && suiteById.get(row.suiteId) ? { id: row.suiteId, name: suiteById.get(row.suiteId)!.name } : null,
      teacherRun: run && progress ? { id: run.id, status: run.status, done: progress.done, total: run.totalCells, failed: progress.failed } : null,
      compareRunId: row.compareRunId,
      config: row.config as unknown as DistillationConfig,
      failedRows: light ? [] : (row.failedRows as unknown as FailedRow[]),
      // The list shows the last point only (the latest loss); the detail has the whole curve.
      loss: light ? loss.slice(-1) : loss,
      report: row.report as unknown as DistillationReport | null,
      student: row.student
        ? {
            id: row.student.id,
            name: row.student.name,
            kind: row.student.kind as StudentKind,
            classes: row.student.classes as unknown as HeadSpec[],
            sizeBytes: row.student.sizeBytes,
            cascadeThreshold: row.student.cascadeThreshold,
            models: row.student.kind === "classifier" ? [`${STUDENT_PREFIX}${row.student.name}`, `${CASCADE_PREFIX}${row.student.name}`] : [`${STUDENT_PREFIX}${row.student.name}`],
          }
        : null,
      error: row.error,
      cancelRequested: row.cancelRequested,
      createdBy: row.createdById && userById.get(row.createdById) ? { id: row.createdById, name: userById.get(row.createdById)!.name ?? "" } : null,
      createdAt: row.createdAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
    };
  });
}

/** Newest first; light: the last loss point only and no failed rows (the detail has them); the report is there. */
export async function listDistillations(workspaceId: string): Promise<DistillationView[]> {
  const rows = await db.distillation.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], include: viewInclude, take: 500 });
  return toViews(rows, true);
}

export async function getDistillation(workspaceId: string, id: string): Promise<DistillationView> {
  const row = await db.distillation.findFirst({ where: { id, workspaceId }, include: viewInclude });
  if (!row) throw notFound();
  return (await toViews([row], false))[0]!;
}

async function requireRow(workspaceId: string, id: string) {
  const row = await db.distillation.findFirst({ where: { id, workspaceId } });
  if (!row) throw notFound();
  return row;
}

/**
 * collecting: the teacher run is cancelled and the distillation with it. training/measuring: cancelRequested is set;
 * the job stops at its next epoch (or before measuring) and registers nothing.
 */
export async function cancelDistillation(workspaceId: string, id: string, userId: string | null): Promise<DistillationView> {
  const row = await requireRow(workspaceId, id);
  if ((FINAL_STATES as readonly string[]).includes(row.state)) {
    throw new AppError("conflict", "distillation", `This distillation is ${row.state} already.`);
  }
  if (row.state === "collecting") {
    const { count } = await db.distillation.updateMany({
      where: { id, state: "collecting" },
      data: { state: "cancelled", cancelRequested: true, finishedAt: new Date() },
    });
    if (count > 0 && row.teacherRunId) await cancelRun(workspaceId, row.teacherRunId, userId);
    if (count === 0) await db.distillation.update({ where: { id }, data: { cancelRequested: true } });
  } else {
    await db.distillation.update({ where: { id }, data: { cancelRequested: true } });
  }
  return getDistillation(workspaceId, id);
}

/** Removes the distillation and its student (row and file); a running one is cancelled first. */
export async function deleteDistillation(workspaceId: string, id: string): Promise<void> {
  const row = await requireRow(workspaceId, id);
  if (row.state === "collecting" && row.teacherRunId) {
    await cancelRun(workspaceId, row.teacherRunId, null).catch((error: unknown) => {
      // A run already deleted with its suite has nothing to cancel.
      if (!(error instanceof AppError && error.code === "not_found")) throw error;
    });
  }
  const student = await db.student.findUnique({ where: { distillationId: id }, select: { id: true, name: true, file: true } });
  await db.$transaction(async (transaction) => {
    if (student) await transaction.student.delete({ where: { id: student.id } });
    // A job still working sees the row gone and stops.
    await transaction.distillation.delete({ where: { id } });
    await syncStudentModels(transaction, workspaceId);
  });
  if (student) {
    await rm(studentFileOf(student.name), { force: true });
    if (student.file) await rm(path.join(env.ASSAY_MODELS_DIR, student.file), { force: true });
  }
}

/** The cascade at a threshold: the curve's point whose covered rows are those with confidence ≥ threshold. */
export function cascadeAt(curve: readonly CurvePoint[], threshold: number): CurvePoint {
  let point = curve[0]!;
  for (const candidate of curve) if (candidate.threshold >= threshold) point = candidate;
  return { ...point, threshold };
}

export async function setCascadeThreshold(workspaceId: string, id: string, rawInput: CascadeThresholdInput): Promise<DistillationView> {
  const input = parseInput(cascadeThresholdInput, rawInput, "cascade");
  const row = await requireRow(workspaceId, id);
  const report = row.report as unknown as DistillationReport | null;
  if (row.state !== "done" || !report) throw new AppError("conflict", "distillation", "The cascade threshold can be set once the distillation is done.");
  if (report.curve.length === 0 || !report.cascade) throw new AppError("conflict", "distillation", "This student has no coverage–agreement curve (a language-model student has no cascade).");
  const student = await db.student.findUnique({ where: { distillationId: id }, select: { id: true } });
  if (!student) throw new AppError("conflict", "distillation", "This distillation's student was removed.");
  let point: CurvePoint;
  let targetAgreement = report.cascade.targetAgreement;
  if ("targetAgreement" in input) {
    targetAgreement = input.targetAgreement;
    point = pickThreshold(report.curve, input.targetAgreement) ?? report.curve[0]!;
  } else {
    point = cascadeAt(report.curve, input.threshold);
  }
  const cascade = { ...point, targetAgreement, teacherCalls: Math.round((1 - point.coverage) * report.rows.heldOut) };
  const next: DistillationReport = {
    ...report,
    cascade,
    costPer1000: { ...report.costPer1000, cascade: report.costPer1000.teacher === null ? null : report.costPer1000.teacher * (1 - point.coverage) },
  };
  await db.$transaction(async (transaction) => {
    await transaction.student.update({ where: { id: student.id }, data: { cascadeThreshold: point.threshold } });
    await transaction.distillation.update({ where: { id }, data: { report: next as unknown as Prisma.InputJsonValue } });
    await syncStudentModels(transaction, workspaceId);
  });
  return getDistillation(workspaceId, id);
}

/**
 * A run of two variants on the held-out cases: the teacher version × the teacher's target, and the teacher version
 * × the Local models connection's student:<name> (or cascade:<name>). The compare screen opens it at
 * `/w/<slug>/compare?variants=<teacher variant>,<student variant>` (comparePath, relative to the workspace).
 */
export async function compareDistillation(
  workspaceId: string,
  id: string,
  userId: string | null,
  rawInput: CompareDistillationInput = {},
): Promise<{ runId: string; comparePath: string }> {
  const input = parseInput(compareDistillationInput, rawInput, "compare");
  const row = await requireRow(workspaceId, id);
  const report = row.report as unknown as DistillationReport | null;
  if (row.state !== "done" || !report) throw new AppError("conflict", "distillation", "Compare once the distillation is done.");
  if (input.against === "cascade" && !report.cascade) throw new AppError("conflict", "distillation", "This student has no cascade (a language-model student).");
  if (!row.versionId || !row.connectionId || !row.suiteId) {
    throw new AppError("conflict", "distillation", "The teacher's version, connection or dataset suite was deleted: nothing to compare with.");
  }
  const local = await db.connection.findFirst({ where: { workspaceId, kind: "local" }, orderBy: { createdAt: "asc" }, select: { id: true } });
  if (!local) throw new AppError("conflict", "distillation", "This workspace has no Local models connection to call the student through.");
  const caseIds = report.heldOutCaseIds ?? [];
  if (caseIds.length === 0) throw new AppError("conflict", "distillation", "This distillation recorded no held-out cases.");
  const model = `${input.against === "cascade" ? CASCADE_PREFIX : STUDENT_PREFIX}${row.name}`;
  // Both arms with the version's own parameters, as the teacher run had them.
  const saved = await db.promptVersion.findUnique({ where: { id: row.versionId }, select: { params: true } });
  const params = (saved?.params ?? {}) as ModelParams;
  const run = await createRun(workspaceId, userId, {
    suiteId: row.suiteId,
    name: `distill · ${row.name} · teacher vs ${input.against}`,
    caseIds,
    variants: [
      { label: `teacher · ${row.model}`, versionId: row.versionId, connectionId: row.connectionId, model: row.model, params },
      { label: `${input.against} · ${model}`, versionId: row.versionId, connectionId: local.id, model, params },
    ],
  });
  await db.distillation.update({ where: { id }, data: { compareRunId: run.id } });
  const variants = await db.variant.findMany({ where: { runId: run.id }, orderBy: { position: "asc" }, select: { id: true } });
  return { runId: run.id, comparePath: `/compare?variants=${variants.map((variant) => variant.id).join(",")}` };
}

/** Unregisters a distillation's student (row, file, model names) and says why in its error; the report stays. */
export async function removeStudent(workspaceId: string, id: string, reason: string): Promise<void> {
  await requireRow(workspaceId, id);
  const student = await db.student.findUnique({ where: { distillationId: id }, select: { id: true, name: true, file: true } });
  await db.$transaction(async (transaction) => {
    if (student) await transaction.student.delete({ where: { id: student.id } });
    await transaction.distillation.update({ where: { id }, data: { error: reason } });
    await syncStudentModels(transaction, workspaceId);
  });
  if (student) {
    await rm(studentFileOf(student.name), { force: true });
    if (student.file) await rm(path.join(env.ASSAY_MODELS_DIR, student.file), { force: true });
  }
}
