import { distance as editDistance } from "fastest-levenshtein";
import { z } from "zod";
import { checkJsonPath, compileJsonSchema, compileRegex } from "./compile.ts";
import { messageOf } from "../errors.ts";

// Every assertion type, grouped by the file that evaluates it. Each also exists negated as `not-<type>`.
export const assertionTypes = [
  "equals",
  "contains",
  "icontains",
  "contains-any",
  "contains-all",
  "starts-with",
  "regex",
  "word-count",
  "is-refusal",
  "is-json",
  "contains-json",
  "json-schema",
  "json-path",
  "levenshtein",
  "similarity",
  "latency",
  "cost",
  "output-tokens",
  "finish-reason",
  "llm-rubric",
  "label",
] as const;

export type BaseAssertionType = (typeof assertionTypes)[number];
export type AssertionType = BaseAssertionType | `not-${BaseAssertionType}`;

const templatePattern = /\{\{/;

function typeLiteral<T extends BaseAssertionType>(type: T) {
  return z.literal([type, `not-${type}` as const]);
}

const weight = z.number().positive().default(1).describe("Weight in the case's score (a weighted mean); default 1");
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const strings = z.union([z.string(), z.array(z.string()).min(1)]);

// `threshold` exists only where it means something (a distance, a similarity, a limit, a judge's score, a share of
// values), so a threshold on `contains` is reported as an unknown key instead of being silently ignored.
const metric = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .optional()
  .describe("A named metric this assertion counts toward (its mean score is reported per variant, as promptfoo's metric)");
const common = { weight, metric };

const equals = z.strictObject({
  type: typeLiteral("equals"),
  value: scalar.optional().describe("Defaults to the case's expected output"),
  ...common,
});
const contains = z.strictObject({ type: typeLiteral("contains"), value: scalar.optional(), ...common });
const icontains = z.strictObject({ type: typeLiteral("icontains"), value: scalar.optional(), ...common });
const containsAny = z.strictObject({ type: typeLiteral("contains-any"), value: strings.optional(), ...common });
const containsAll = z.strictObject({
  type: typeLiteral("contains-all"),
  value: strings.optional(),
  weight,
  metric,
  threshold: z.number().min(0).max(1).optional().describe("Share of the values that must appear (0..1); default 1"),
});
const startsWith = z.strictObject({ type: typeLiteral("starts-with"), value: scalar.optional(), ...common });
const regex = z
  .strictObject({
    type: typeLiteral("regex"),
    value: z
      .string()
      .optional()
      .describe("A JavaScript regular expression, run in linear time (no backreferences or lookahead); defaults to the expected output"),
    flags: z
      .string()
      .regex(/^[dgimsuyv]*$/, "flags may only contain d, g, i, m, s, u, v, y")
      .optional(),
    ...common,
  })
  .superRefine((assertion, context) => {
    if (assertion.value === undefined || templatePattern.test(assertion.value)) return;
    try {
      // JavaScript's own parser first (compiling is safe, only matching backtracks): its messages are the familiar ones.
      new RegExp(assertion.value, assertion.flags);
      compileRegex(assertion.value, assertion.flags);
    } catch (error) {
      context.addIssue({ code: "custom", path: ["value"], message: messageOf(error) });
    }
  });
const wordCount = z
  .strictObject({
    type: typeLiteral("word-count"),
    min: z.number().int().nonnegative().optional(),
    max: z.number().int().nonnegative().optional(),
    ...common,
  })
  .superRefine((assertion, context) => {
    if (assertion.min === undefined && assertion.max === undefined) {
      context.addIssue({ code: "custom", path: ["min"], message: "word-count needs min, max or both" });
    }
    if (assertion.min !== undefined && assertion.max !== undefined && assertion.min > assertion.max) {
      context.addIssue({ code: "custom", path: ["max"], message: `max (${assertion.max}) is below min (${assertion.min})` });
    }
  });
const isRefusal = z.strictObject({ type: typeLiteral("is-refusal"), ...common });
const isJson = z.strictObject({ type: typeLiteral("is-json"), ...common });
const containsJson = z
  .strictObject({
    type: typeLiteral("contains-json"),
    value: z.record(z.string(), z.unknown()).optional().describe("A JSON Schema one of the JSON values in the output must match"),
    ...common,
  })
  .superRefine((assertion, context) => {
    if (assertion.value === undefined) return;
    try {
      compileJsonSchema(assertion.value);
    } catch (error) {
      context.addIssue({ code: "custom", path: ["value"], message: `invalid JSON Schema: ${messageOf(error)}` });
    }
  });
const jsonSchema = z
  .strictObject({
    type: typeLiteral("json-schema"),
    value: z.record(z.string(), z.unknown()).describe("A JSON Schema (draft-07, 2019-09 or 2020-12) the output must match"),
    ...common,
  })
  .superRefine((assertion, context) => {
    try {
      compileJsonSchema(assertion.value);
    } catch (error) {
      context.addIssue({ code: "custom", path: ["value"], message: `invalid JSON Schema: ${messageOf(error)}` });
    }
  });
const jsonPath = z
  .strictObject({
    type: typeLiteral("json-path"),
    path: z.string().min(1).describe("A JSONPath expression such as $.city or $.items[0].name"),
    value: z.unknown().optional().describe("The value found must equal this; defaults to the expected output"),
    ...common,
  })
  .superRefine((assertion, context) => {
    const problem = checkJsonPath(assertion.path);
    if (problem) context.addIssue({ code: "custom", path: ["path"], message: problem });
  });
const levenshtein = z.strictObject({
  type: typeLiteral("levenshtein"),
  value: z.string().optional(),
  weight,
  metric,
  threshold: z.number().int().nonnegative().default(5).describe("Largest edit distance that passes; default 5"),
});
const similarity = z.strictObject({
  type: typeLiteral("similarity"),
  value: z.string().optional(),
  weight,
  metric,
  threshold: z.number().min(0).max(1).default(0.8).describe("Smallest similarity (0..1) that passes; default 0.8"),
});
const latency = z.strictObject({
  type: typeLiteral("latency"),
  weight,
  metric,
  threshold: z.number().positive().describe("Largest total latency in milliseconds that passes"),
});
const cost = z.strictObject({
  type: typeLiteral("cost"),
  weight,
  metric,
  threshold: z.number().nonnegative().describe("Largest cost of the call (in the connection's currency) that passes"),
});
const outputTokens = z.strictObject({
  type: typeLiteral("output-tokens"),
  weight,
  metric,
  threshold: z.number().int().nonnegative().describe("Largest number of output tokens that passes"),
});
const finishReason = z.strictObject({
  type: typeLiteral("finish-reason"),
  value: z.string().min(1).describe("stop, length, tool_calls, content_filter, ..."),
  ...common,
});
const llmRubric = z.strictObject({
  type: typeLiteral("llm-rubric"),
  value: z.string().min(1).describe("What a good output does, in words, for the judge model"),
  weight,
  metric,
  threshold: z.number().min(0).max(1).optional().describe("Pass when the judge's score ≥ threshold; else the judge's verdict"),
});
const label = z
  .strictObject({
    type: typeLiteral("label"),
    classes: z.array(z.string().min(1)).min(1).describe("The classes an output may be"),
    value: z.string().optional().describe("The expected class; defaults to the expected output"),
    ...common,
  })
  .superRefine((assertion, context) => {
    const seen = new Map<string, number>();
    assertion.classes.forEach((name, index) => {
      const normalized = normalizeLabelText(name);
      if (normalized === "") {
        context.addIssue({ code: "custom", path: ["classes", index], message: `class "${name}" is empty once normalized` });
      }
      const first = seen.get(normalized);
      if (first !== undefined) {
        context.addIssue({
          code: "custom",
          path: ["classes", index],
          message: `class "${name}" is the same as classes[${first}] once case and punctuation are ignored`,
        });
      }
      seen.set(normalized, index);
    });
  });

const members = [
  equals,
  contains,
  icontains,
  containsAny,
  containsAll,
  startsWith,
  regex,
  wordCount,
  isRefusal,
  isJson,
  containsJson,
  jsonSchema,
  jsonPath,
  levenshtein,
  similarity,
  latency,
  cost,
  outputTokens,
  finishReason,
  llmRubric,
  label,
] as const;

const knownTypes: readonly string[] = assertionTypes.flatMap((type) => [type, `not-${type}`]);

/** One assertion, discriminated on `type`. Parsing applies defaults (weight 1, levenshtein/similarity thresholds). */
export const assertionInput = z.discriminatedUnion("type", members, {
  error: (issue) => {
    if (issue.code !== "invalid_union") return undefined;
    const given = issue.input;
    if (typeof given === "object" && given !== null && "type" in given) {
      const type = (given as { type: unknown }).type;
      return typeof type === "string"
        ? `unknown assertion type "${type}"${suggestion(type)}`
        : "assertion type must be a string";
    }
    return "assertion needs a type";
  },
});

export const assertionList = z.array(assertionInput);

export type AssertionInput = z.input<typeof assertionInput>;
export type Assertion = z.output<typeof assertionInput>;
export type AssertionOf<T extends BaseAssertionType> = Extract<Assertion, { type: T | `not-${T}` }>;

/** Trim, case-fold and strip punctuation, so "Positive." matches the class "positive". */
export function normalizeLabelText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The closest known type, when a typo is likely ("lable" → "label": two edits, a swapped pair). */
function suggestion(type: string): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of knownTypes) {
    const distance = editDistance(type.toLowerCase(), known);
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(type.length / 3)) ? ` (did you mean "${best}"?)` : "";
}

