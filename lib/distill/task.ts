import { AppError } from "../errors.ts";
import type { ClassValue, HeadSpec } from "./classifier.ts";

// What the teacher's outputs are: a label (a small set of classes), fields (JSON objects whose fields are each an
// enumeration or a boolean), or free text, which a classifier student cannot learn and is refused with the reason.

export const MAX_CLASSES = 20;

export type DetectedTask =
  | { kind: "label"; heads: HeadSpec[] }
  | { kind: "fields"; heads: HeadSpec[] };

export interface TaskRow {
  output: string;
}

function parseObject(text: string): Record<string, unknown> | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return null;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    // Not JSON: the output is text, judged as a label or free text below.
    return null;
  }
}

function sortedValues(values: Iterable<ClassValue>): ClassValue[] {
  return [...values].sort((a, b) => String(a).localeCompare(String(b)));
}

/** Too many distinct values for a class set: more than MAX_CLASSES, or (with enough rows) most rows unique. */
function tooMany(distinct: number, rows: number): boolean {
  return distinct > MAX_CLASSES || (rows >= 10 && distinct > rows / 2);
}

export function detectTask(rows: TaskRow[]): DetectedTask {
  if (rows.length === 0) throw new AppError("bad_request", "rows", "No rows: a student needs the teacher's outputs");
  const objects = rows.map((row) => parseObject(row.output));
  if (objects.every((object) => object !== null)) {
    const fields = [...new Set(objects.flatMap((object) => Object.keys(object!)))].sort();
    if (fields.length === 0) throw new AppError("bad_request", "rows", "The teacher's outputs are empty JSON objects: nothing to learn");
    const heads = fields.map((field): HeadSpec => {
      const values = new Set<ClassValue>();
      objects.forEach((object, index) => {
        const value = object![field];
        if (typeof value !== "string" && typeof value !== "boolean") {
          throw new AppError(
            "bad_request",
            "task",
            `Field "${field}" of the teacher's output on row ${index + 1} is ${value === undefined ? "missing" : JSON.stringify(value)}: a classifier student needs every field to be an enumeration (a string) or a boolean`,
            [{ path: field, row: index + 1, message: "not an enumeration or a boolean" }],
          );
        }
        values.add(value);
      });
      if (tooMany(values.size, rows.length)) {
        throw new AppError(
          "bad_request",
          "task",
          `Field "${field}" has ${values.size} distinct values over ${rows.length} rows: that is free text, not an enumeration; a classifier student needs at most ${MAX_CLASSES} classes per field`,
          [{ path: field, message: "free text" }],
        );
      }
      return { field, values: sortedValues(values) };
    });
    return { kind: "fields", heads };
  }
  const labels = new Set(rows.map((row) => row.output.trim()));
  if (tooMany(labels.size, rows.length)) {
    throw new AppError(
      "bad_request",
      "task",
      `The teacher's outputs are free text (${labels.size} distinct outputs over ${rows.length} rows): a classifier student learns a label (at most ${MAX_CLASSES} classes) or JSON fields that are enumerations or booleans; free text needs a language-model student`,
    );
  }
  return { kind: "label", heads: [{ field: null, values: sortedValues(labels) }] };
}

/** The class indices of an output under the detected task (the output is known to fit it). */
export function classesOf(task: DetectedTask, output: string): number[] {
  if (task.kind === "label") return [task.heads[0]!.values.indexOf(output.trim())];
  const object = parseObject(output)!;
  return task.heads.map((head) => head.values.indexOf(object[head.field!] as ClassValue));
}

/** The output's class as one key (the label, or the fields' values joined), for stratifying a split. */
export function stratumOf(task: DetectedTask, output: string): string {
  return classesOf(task, output).join("|");
}
