import { performance } from "node:perf_hooks";
import type { PrismaClient } from "../db.ts";
import { syncStudentModels } from "./student-models.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import { agreementOf, type Agreement } from "./agreement.ts";
import { ClassifierStudent, type HeadSpec, type TrainOptions } from "./classifier.ts";
import { stratifiedSplit } from "./split.ts";
import { classesOf, detectTask, stratumOf, type DetectedTask } from "./task.ts";

// Train a classifier student on a teacher's input → output rows and store it as a Student of the workspace. Every
// check (name, rows, task, examples per class) runs before anything is written; the row is written once, complete.

export const MIN_EXAMPLES_PER_CLASS = 5;
export const STUDENT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface TeacherRow {
  input: string;
  output: string;
}

export interface StudentMetrics {
  task: DetectedTask["kind"];
  trainRows: number;
  heldOutRows: number;
  /** all heads right, share of held-out rows */
  exactMatch: number;
  /** one per head (field null for a label task) */
  heads: (Agreement & { field: string | null })[];
  trainingMs: number;
  seed: number;
}

export interface TrainedStudent {
  classifier: ClassifierStudent;
  task: DetectedTask;
  metrics: StudentMetrics;
  /** the held-out rows, as indices into the rows given */
  heldOutIndices: number[];
}

export interface DistillOptions extends TrainOptions {
  /** share of rows held out for agreement (default 0.2) */
  heldOutShare?: number;
}

function checkRows(rows: unknown[]): TeacherRow[] {
  return rows.map((row, index) => {
    const candidate = row as Partial<TeacherRow> | null;
    if (!candidate || typeof candidate.input !== "string" || typeof candidate.output !== "string") {
      throw new AppError("bad_request", "rows", `Row ${index + 1} needs "input" and "output" strings`, [
        { row: index + 1, message: "input and output must be strings" },
      ]);
    }
    return { input: candidate.input, output: candidate.output };
  });
}

function checkExamplesPerClass(task: DetectedTask, rows: TeacherRow[]): void {
  task.heads.forEach((head, headIndex) => {
    const counts = new Array<number>(head.values.length).fill(0);
    for (const row of rows) counts[classesOf(task, row.output)[headIndex]!]!++;
    const short = head.values
      .map((value, index) => ({ value, count: counts[index]! }))
      .filter((entry) => entry.count < MIN_EXAMPLES_PER_CLASS);
    if (short.length > 0) {
      const where = head.field === null ? "" : ` of field "${head.field}"`;
      const list = short.map((entry) => `"${String(entry.value)}" (${entry.count})`).join(", ");
      throw new AppError(
        "bad_request",
        "rows",
        `Too few examples per class${where}: ${list}; a classifier student needs at least ${MIN_EXAMPLES_PER_CLASS} of each class (some are held out to measure agreement)`,
        short.map((entry) => ({ path: head.field ?? "output", message: `${String(entry.value)}: ${entry.count} examples` })),
      );
    }
  });
}

export interface DistillAsyncOptions extends DistillOptions {
  onEpoch?: (point: { epoch: number; loss: number }) => void | Promise<void>;
  /** asked after every epoch: true stops the training (distillAsync then returns null) */
  shouldStop?: () => boolean | Promise<boolean>;
}

interface Prepared {
  rows: TeacherRow[];
  task: DetectedTask;
  seed: number;
  train: number[];
  heldOut: number[];
}

/** Every check before any training: rows, task, examples per class; then the split (indices into the rows). */
function prepare(rawRows: unknown[], options: DistillOptions): Prepared {
  const rows = checkRows(rawRows);
  const task = detectTask(rows);
  checkExamplesPerClass(task, rows);
  const seed = options.seed ?? 1;
  const indices = rows.map((_row, index) => index);
  const { train, heldOut } = stratifiedSplit(indices, (index) => stratumOf(task, rows[index]!.output), options.heldOutShare ?? 0.2, seed);
  return { rows, task, seed, train, heldOut };
}

function examplesOf(prepared: Prepared) {
  return prepared.train.map((index) => ({ input: prepared.rows[index]!.input, classes: classesOf(prepared.task, prepared.rows[index]!.output) }));
}

function measured(prepared: Prepared, classifier: ClassifierStudent, trainingMs: number): TrainedStudent {
  const { task, rows } = prepared;
  const heldOut = prepared.heldOut.map((index) => rows[index]!);
  const predicted = heldOut.map((row) => ({ teacher: classesOf(task, row.output), student: classifier.predict(row.input) }));
  const heads = task.heads.map((head, headIndex) => ({
    field: head.field,
    ...agreementOf(
      head.values.map(String),
      predicted.map((entry) => ({
        teacher: entry.teacher[headIndex]!,
        student: head.values.indexOf(entry.student[headIndex]!.value),
      })),
    ),
  }));
  const allRight = predicted.filter((entry) =>
    entry.student.every((prediction, headIndex) => task.heads[headIndex]!.values.indexOf(prediction.value) === entry.teacher[headIndex]),
  ).length;
  return {
    classifier,
    task,
    heldOutIndices: prepared.heldOut,
    metrics: {
      task: task.kind,
      trainRows: prepared.train.length,
      heldOutRows: heldOut.length,
      exactMatch: heldOut.length === 0 ? 0 : allRight / heldOut.length,
      heads,
      trainingMs,
      seed: prepared.seed,
    },
  };
}

/** Detect the task, split, train and measure: no database. */
export function distill(rawRows: unknown[], options: DistillOptions = {}): TrainedStudent {
  const prepared = prepare(rawRows, options);
  const started = performance.now();
  const classifier = ClassifierStudent.train(prepared.task.heads, examplesOf(prepared), { ...options, seed: prepared.seed });
  return measured(prepared, classifier, performance.now() - started);
}

/**
 * distill() for the pipeline's job: the same checks, split and weights, yielding to the event loop between epochs
 * with each epoch's loss. Throws (before training) what distill() throws; returns null when stopped.
 */
export async function distillAsync(rawRows: unknown[], options: DistillAsyncOptions = {}): Promise<TrainedStudent | null> {
  const prepared = prepare(rawRows, options);
  const started = performance.now();
  const { onEpoch, shouldStop, ...train } = options;
  const classifier = await ClassifierStudent.trainAsync(prepared.task.heads, examplesOf(prepared), {
    ...train,
    seed: prepared.seed,
    ...(onEpoch ? { onEpoch } : {}),
    ...(shouldStop ? { shouldStop } : {}),
  });
  if (!classifier) return null;
  return measured(prepared, classifier, performance.now() - started);
}

export interface StoredStudent {
  id: string;
  name: string;
  task: DetectedTask["kind"];
  classes: HeadSpec[];
  metrics: StudentMetrics;
}

export function checkStudentName(name: string): void {
  if (!STUDENT_NAME.test(name)) {
    throw new AppError("bad_request", "name", `Student name "${name}" must be 1–64 lower-case letters, digits, ".", "_" or "-"`, [
      { path: "name", message: "invalid name" },
    ]);
  }
}

/** Columns a distillation sets on its student (issue #12). */
export interface StudentExtra {
  distillationId?: string;
  sizeBytes?: number;
  teacherConnectionId?: string | null;
  teacherModel?: string | null;
  cascadeThreshold?: number | null;
}

/**
 * Store a trained student under a name of the workspace: one row, written complete; then its model names
 * (student:<name>, cascade:<name>) join the workspace's Local models connection (student-models.ts).
 */
export async function storeStudent(
  database: Pick<PrismaClient, "student" | "connection" | "connectionModel">,
  workspaceId: string,
  name: string,
  trained: TrainedStudent,
  extra: StudentExtra = {},
): Promise<StoredStudent> {
  checkStudentName(name);
  const classes = trained.classifier.specs;
  try {
    const row = await database.student.create({
      data: {
        ...extra,
        workspaceId,
        name,
        kind: "classifier",
        task: trained.task.kind,
        classes: classes as object[],
        artifact: trained.classifier.serialize() as unknown as object,
        metrics: trained.metrics as unknown as object,
      },
      select: { id: true },
    });
    await syncStudentModels(database, workspaceId);
    return { id: row.id, name, task: trained.task.kind, classes, metrics: trained.metrics };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("conflict", "name", `A student named "${name}" already exists in this workspace`, [{ path: "name", message: "taken" }]);
    }
    throw error;
  }
}

/** Check, train, measure and store a classifier student of the workspace. */
export async function trainStudent(
  database: Pick<PrismaClient, "student" | "connection" | "connectionModel">,
  workspaceId: string,
  name: string,
  rows: unknown[],
  options: DistillOptions = {},
): Promise<StoredStudent> {
  checkStudentName(name);
  return storeStudent(database, workspaceId, name, distill(rows, options));
}
