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

/** Detect the task, split, train and measure: no database. */
export function distill(rawRows: unknown[], options: DistillOptions = {}): TrainedStudent {
  const rows = checkRows(rawRows);
  const task = detectTask(rows);
  checkExamplesPerClass(task, rows);
  const seed = options.seed ?? 1;
  const { train, heldOut } = stratifiedSplit(rows, (row) => stratumOf(task, row.output), options.heldOutShare ?? 0.2, seed);
  const started = performance.now();
  const classifier = ClassifierStudent.train(
    task.heads,
    train.map((row) => ({ input: row.input, classes: classesOf(task, row.output) })),
    { ...options, seed },
  );
  const trainingMs = performance.now() - started;
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
    metrics: {
      task: task.kind,
      trainRows: train.length,
      heldOutRows: heldOut.length,
      exactMatch: heldOut.length === 0 ? 0 : allRight / heldOut.length,
      heads,
      trainingMs,
      seed,
    },
  };
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

/**
 * Store a trained student under a name of the workspace: one row, written complete; then its model names
 * (student:<name>, cascade:<name>) join the workspace's Local models connection (student-models.ts).
 */
export async function storeStudent(
  database: Pick<PrismaClient, "student" | "connection" | "connectionModel">,
  workspaceId: string,
  name: string,
  trained: TrainedStudent,
): Promise<StoredStudent> {
  checkStudentName(name);
  const classes = trained.classifier.specs;
  try {
    const row = await database.student.create({
      data: {
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
