import { z } from "zod";
import { AppError } from "./errors.ts";
import { formatCount } from "./format.ts";

// Every fixed size and count limit in one place, so the UI, the docs and the error messages show the same numbers.
// This module reads no environment (forms may import it); the configurable limits (request bodies, uploads, what a
// workspace may have going at once) are in configured-limits.ts.

export const limits = {
  /** one JSONL line of a case file in bytes, one CSV record in characters */
  importRecordBytes: 1024 ** 2,
  /** one prompt message (a Liquid template) */
  messageCharacters: 200_000,
  messages: 50,
  /** one template variable's value, as text or as JSON */
  variableCharacters: 200_000,
  variables: 200,
  examples: 100,
  /** named variable sets kept with a version for the playground */
  testInputs: 50,
  testInputNameCharacters: 100,
  exampleOutputCharacters: 100_000,
  commitMessageCharacters: 500,
  /** one comment's markdown, after trimming */
  commentCharacters: 10_000,
  /** a case's expected output */
  expectedCharacters: 200_000,
  /** model output kept in a stored Result or Call; the rest is cut off with a marker */
  storedOutputCharacters: 1_000_000,
} as const;

export const TRUNCATED_MARKER = "…[truncated]";

/** A string field with a cap whose message reads "at most 200,000 characters" (the path is prefixed by the mapper). */
export function cappedString(maxCharacters: number) {
  return z.string().max(maxCharacters, `at most ${formatCount(maxCharacters)} characters`);
}

/** An array field with a cap whose message reads "at most 100 items". */
export function cappedArray<Item extends z.ZodType>(item: Item, maxItems: number, noun = "items") {
  return z.array(item).max(maxItems, `at most ${formatCount(maxItems)} ${noun}`);
}

/** Any JSON value whose serialized form fits the variable cap (a case's structured variables). */
export const cappedJsonValue = z.unknown().superRefine((value, context) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text !== undefined && text.length > limits.variableCharacters) {
    context.addIssue({ code: "custom", message: `at most ${formatCount(limits.variableCharacters)} characters` });
  }
});

/** Model output as stored: cut at the cap with a marker, so one runaway answer cannot fill the database. */
export function storedOutput(output: string, maxCharacters: number = limits.storedOutputCharacters): string {
  if (output.length <= maxCharacters) return output;
  return `${output.slice(0, maxCharacters)}${TRUNCATED_MARKER}`;
}

/** maxTokens cannot exceed the model's context window, when the connection knows it: a 400 naming the field. */
export function checkMaxTokens(path: string, maxTokens: number | undefined, model: string, contextWindow: number | null): void {
  if (maxTokens === undefined || contextWindow === null || maxTokens <= contextWindow) return;
  const field = `${path}.maxTokens`;
  const message = `at most ${formatCount(contextWindow)} for ${model}'s context window`;
  throw new AppError("bad_request", "input", `${field}: ${message}`, [{ path: field, message }]);
}
