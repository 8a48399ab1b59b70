import type { AssertionJson } from "./types";

// The assertion form's model: which fields each type has, and the conversion between stored assertions and the
// strings the form edits. The server (lib/assertions validateAssertions) is the judge of validity; this file only
// turns text into the JSON it checks, and reports text it cannot turn into JSON (a schema that is not JSON).

export type FieldName = "value" | "values" | "flags" | "min" | "max" | "path" | "schema" | "classes" | "threshold";

interface FieldSpec {
  name: FieldName;
  label: string;
  placeholder?: string;
  /** shown under the field */
  hint?: string;
  required?: boolean;
  kind: "text" | "multiline" | "number" | "code";
}

export interface AssertionTypeSpec {
  type: string;
  label: string;
  group: "Text" | "Structure" | "Similarity" | "Call" | "Judge";
  summary: string;
  fields: FieldSpec[];
}

const expectedValue = (label = "Value"): FieldSpec => ({
  name: "value",
  label,
  placeholder: "blank: the case's expected output",
  kind: "text",
  hint: "{{variables}} are filled from the case",
});

export const assertionSpecs: AssertionTypeSpec[] = [
  { type: "equals", label: "equals", group: "Text", summary: "The output is exactly the value.", fields: [expectedValue()] },
  { type: "contains", label: "contains", group: "Text", summary: "The output contains the value.", fields: [expectedValue()] },
  { type: "icontains", label: "icontains", group: "Text", summary: "Contains the value, ignoring case.", fields: [expectedValue()] },
  {
    type: "contains-any",
    label: "contains-any",
    group: "Text",
    summary: "Contains at least one of the values.",
    fields: [{ name: "values", label: "Values (one per line)", kind: "multiline", placeholder: "blank: the expected output" }],
  },
  {
    type: "contains-all",
    label: "contains-all",
    group: "Text",
    summary: "Contains every value (or a share of them).",
    fields: [
      { name: "values", label: "Values (one per line)", kind: "multiline", placeholder: "blank: the expected output" },
      { name: "threshold", label: "Share required (0–1)", kind: "number", placeholder: "1" },
    ],
  },
  { type: "starts-with", label: "starts-with", group: "Text", summary: "The output starts with the value.", fields: [expectedValue()] },
  {
    type: "regex",
    label: "regex",
    group: "Text",
    summary: "The output matches a JavaScript regular expression.",
    fields: [
      { name: "value", label: "Pattern", kind: "text", placeholder: "blank: the expected output as a pattern" },
      { name: "flags", label: "Flags", kind: "text", placeholder: "i, m, s, u…" },
    ],
  },
  {
    type: "word-count",
    label: "word-count",
    group: "Text",
    summary: "The number of words is within bounds.",
    fields: [
      { name: "min", label: "Min words", kind: "number" },
      { name: "max", label: "Max words", kind: "number" },
    ],
  },
  { type: "is-refusal", label: "is-refusal", group: "Text", summary: "The model refused (use not-is-refusal to forbid refusals).", fields: [] },
  { type: "is-json", label: "is-json", group: "Structure", summary: "The output parses as JSON.", fields: [] },
  { type: "contains-json", label: "contains-json", group: "Structure", summary: "The output contains a JSON object or array (prose around it is fine); with a schema, one of them matches it.", fields: [] },
  {
    type: "json-schema",
    label: "json-schema",
    group: "Structure",
    summary: "The output is JSON matching a JSON Schema.",
    fields: [{ name: "schema", label: "JSON Schema", kind: "code", required: true, placeholder: '{ "type": "object", "required": ["city"] }' }],
  },
  {
    type: "json-path",
    label: "json-path",
    group: "Structure",
    summary: "A JSONPath into the output equals a value.",
    fields: [
      { name: "path", label: "JSONPath", kind: "text", required: true, placeholder: "$.city" },
      { name: "value", label: "Equals (JSON or text)", kind: "text", placeholder: "blank: the expected output" },
    ],
  },
  {
    type: "levenshtein",
    label: "levenshtein",
    group: "Similarity",
    summary: "Edit distance to the value is at most the threshold.",
    fields: [expectedValue(), { name: "threshold", label: "Max distance", kind: "number", placeholder: "5" }],
  },
  {
    type: "similarity",
    label: "similarity",
    group: "Similarity",
    summary: "Normalized similarity to the value is at least the threshold.",
    fields: [expectedValue(), { name: "threshold", label: "Min similarity (0–1)", kind: "number", placeholder: "0.8" }],
  },
  {
    type: "latency",
    label: "latency",
    group: "Call",
    summary: "Total latency is at most the threshold.",
    fields: [{ name: "threshold", label: "Max latency (ms)", kind: "number", required: true }],
  },
  {
    type: "cost",
    label: "cost",
    group: "Call",
    summary: "The call's cost is at most the threshold.",
    fields: [{ name: "threshold", label: "Max cost ($)", kind: "number", required: true }],
  },
  {
    type: "output-tokens",
    label: "output-tokens",
    group: "Call",
    summary: "Output tokens are at most the threshold.",
    fields: [{ name: "threshold", label: "Max output tokens", kind: "number", required: true }],
  },
  {
    type: "finish-reason",
    label: "finish-reason",
    group: "Call",
    summary: "The call finished for this reason.",
    fields: [{ name: "value", label: "Finish reason", kind: "text", required: true, placeholder: "stop, length, tool_calls, content_filter" }],
  },
  {
    type: "llm-rubric",
    label: "llm-rubric",
    group: "Judge",
    summary: "A judge model grades the output against a rubric; its reasoning is stored.",
    fields: [
      { name: "value", label: "Rubric", kind: "multiline", required: true, placeholder: "Answers politely and names the refund policy." },
      { name: "threshold", label: "Min score (0–1)", kind: "number", placeholder: "the judge's verdict" },
    ],
  },
  {
    type: "label",
    label: "label",
    group: "Judge",
    summary: "Classification: the output is the expected class. Enables accuracy, per-class P/R/F1 and a confusion matrix.",
    fields: [
      { name: "classes", label: "Classes (comma or line separated)", kind: "multiline", required: true, placeholder: "positive, negative, mixed" },
      { name: "value", label: "Expected class", kind: "text", placeholder: "blank: the case's expected output" },
    ],
  },
];

export const specByType = new Map(assertionSpecs.map((spec) => [spec.type, spec]));

/** One assertion as the form edits it. */
export interface AssertionDraft {
  /** stable React key */
  key: string;
  type: string;
  negate: boolean;
  weight: string;
  fields: Partial<Record<FieldName, string>>;
}

let counter = 0;
export function draftKey(): string {
  counter += 1;
  return `assertion-${counter}`;
}

export function blankDraft(type = "contains"): AssertionDraft {
  return { key: draftKey(), type, negate: false, weight: "1", fields: {} };
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** For a json-path value: a string that would read back as JSON is shown quoted, so it stays a string. */
function jsonOrText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") {
    try {
      JSON.parse(value);
      return JSON.stringify(value);
    } catch {
      // Not JSON: the value is plain text and shown as typed.
      return value;
    }
  }
  return JSON.stringify(value);
}

export function toDraft(assertion: AssertionJson): AssertionDraft {
  const negate = assertion.type.startsWith("not-");
  const type = negate ? assertion.type.slice(4) : assertion.type;
  const fields: Partial<Record<FieldName, string>> = {};
  const value = assertion.value;
  if (type === "contains-any" || type === "contains-all") {
    fields.values = Array.isArray(value) ? value.map(text).join("\n") : text(value);
  } else if (type === "json-schema") {
    fields.schema = value === undefined ? "" : JSON.stringify(value, null, 2);
  } else if (type === "json-path") {
    fields.value = jsonOrText(value);
  } else {
    fields.value = text(value);
  }
  if (assertion.flags !== undefined) fields.flags = text(assertion.flags);
  if (assertion.min !== undefined) fields.min = text(assertion.min);
  if (assertion.max !== undefined) fields.max = text(assertion.max);
  if (assertion.path !== undefined) fields.path = text(assertion.path);
  if (assertion.threshold !== undefined) fields.threshold = text(assertion.threshold);
  if (Array.isArray(assertion.classes)) fields.classes = assertion.classes.map(text).join(", ");
  return { key: draftKey(), type, negate, weight: text(assertion.weight ?? 1), fields };
}

/** A number when the text is one; otherwise the text itself, so the server names the field ("expected number"). */
function numeric(raw: string): number | string {
  const trimmed = raw.trim();
  const parsed = Number(trimmed);
  return trimmed !== "" && Number.isFinite(parsed) ? parsed : trimmed;
}

export interface DraftProblem {
  field: FieldName | "weight";
  message: string;
}

/** The assertion JSON for a draft, or the fields whose text cannot become JSON. */
export function fromDraft(draft: AssertionDraft): { assertion: AssertionJson } | { problems: DraftProblem[] } {
  const spec = specByType.get(draft.type);
  const assertion: AssertionJson = { type: draft.negate ? `not-${draft.type}` : draft.type };
  const problems: DraftProblem[] = [];
  for (const field of spec?.fields ?? []) {
    const raw = draft.fields[field.name] ?? "";
    if (raw.trim() === "") {
      if (field.required) problems.push({ field: field.name, message: `${field.label} is required` });
      continue;
    }
    switch (field.name) {
      case "values":
        assertion.value = raw.split("\n").map((line) => line.trim()).filter((line) => line !== "");
        break;
      case "classes":
        assertion.classes = raw
          .split(/[\n,]/)
          .map((item) => item.trim())
          .filter((item) => item !== "");
        break;
      case "schema":
        try {
          assertion.value = JSON.parse(raw);
        } catch (error) {
          problems.push({ field: "schema", message: `not valid JSON: ${(error as Error).message}` });
        }
        break;
      case "value":
        if (draft.type === "json-path") {
          try {
            assertion.value = JSON.parse(raw);
          } catch {
            // Not JSON: a plain string value, which is what most assertions take.
            assertion.value = raw;
          }
        } else assertion.value = raw;
        break;
      case "min":
      case "max":
      case "threshold":
        assertion[field.name] = numeric(raw);
        break;
      default:
        assertion[field.name] = raw.trim();
    }
  }
  if (draft.weight.trim() !== "" && draft.weight.trim() !== "1") assertion.weight = numeric(draft.weight);
  return problems.length > 0 ? { problems } : { assertion };
}

/** "schema" is what the form calls json-schema's `value`; server paths say value. */
export function formField(type: string, serverField: string): FieldName | "weight" | null {
  if (serverField === "weight") return "weight";
  if (type === "json-schema" && serverField === "value") return "schema";
  if ((type === "contains-any" || type === "contains-all") && serverField === "value") return "values";
  const known: FieldName[] = ["value", "flags", "min", "max", "path", "classes", "threshold"];
  return known.includes(serverField as FieldName) ? (serverField as FieldName) : null;
}

/** Splits "assertions[2].classes[1]" into 2 and "classes", relative to `basePath`. */
export function parseProblemPath(path: string, basePath: string): { index: number; field: string } | null {
  if (!path.startsWith(`${basePath}[`)) return null;
  const match = path.slice(basePath.length).match(/^\[(\d+)\](?:\.([A-Za-z]+))?/);
  if (!match) return null;
  return { index: Number(match[1]), field: match[2] ?? "" };
}
