import { isDeepStrictEqual } from "node:util";
import { JSONPath } from "jsonpath-plus";
import { compileJsonSchema } from "./compile.ts";
import type { AssertionOf } from "./schema.ts";
import { binary, quote, type Check, type CheckContext } from "./types.ts";

// Assertions on JSON output. The output must be JSON as a whole: a reply wrapped in prose or a code fence is not.

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parseOutput(output: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(output) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export function checkIsJson(_assertion: AssertionOf<"is-json">, { context }: CheckContext): Check {
  const parsed = parseOutput(context.output);
  return binary(
    parsed.ok,
    parsed.ok ? "" : `expected output to be JSON, but it is not (${parsed.error})`,
    "expected output not to be JSON",
  );
}

/**
 * The JSON objects and arrays inside a text (prose around them, a code fence): from each "{" or "[", the shortest
 * bracket-balanced span (strings and escapes respected) that parses. A span that parses is not searched inside.
 */
export function jsonValuesIn(text: string, limit = 20): unknown[] {
  const values: unknown[] = [];
  for (let start = 0; start < text.length && values.length < limit; start++) {
    const open = text[start];
    if (open !== "{" && open !== "[") continue;
    let depth = 0;
    let inString = false;
    let end = -1;
    for (let index = start; index < text.length; index++) {
      const character = text[index];
      if (inString) {
        if (character === "\\") index++;
        else if (character === '"') inString = false;
        continue;
      }
      if (character === '"') inString = true;
      else if (character === "{" || character === "[") depth++;
      else if (character === "}" || character === "]") {
        depth--;
        if (depth === 0) {
          end = index;
          break;
        }
      }
    }
    if (end < 0) continue;
    const parsed = parseOutput(text.slice(start, end + 1));
    if (parsed.ok) {
      values.push(parsed.value);
      start = end;
    }
  }
  return values;
}

export function checkContainsJson(assertion: AssertionOf<"contains-json">, { context }: CheckContext): Check {
  const values = jsonValuesIn(context.output);
  if (assertion.value === undefined) {
    return binary(values.length > 0, "expected output to contain JSON, but it has none", "expected output not to contain JSON, but it does");
  }
  const validate = compileJsonSchema(assertion.value);
  const matching = values.some((value) => validate(value));
  return binary(
    matching,
    values.length === 0 ? "expected output to contain JSON matching the schema, but it has no JSON" : "expected output to contain JSON matching the schema, but none of its JSON values does",
    "expected output not to contain JSON matching the schema, but it does",
  );
}

export function checkJsonSchema(assertion: AssertionOf<"json-schema">, { context }: CheckContext): Check {
  const parsed = parseOutput(context.output);
  if (!parsed.ok) {
    return binary(
      false,
      `expected output to be JSON matching the schema, but it is not JSON (${parsed.error})`,
      "expected output not to match the schema",
    );
  }
  const validate = compileJsonSchema(assertion.value);
  const valid = validate(parsed.value);
  const problems = (validate.errors ?? [])
    .slice(0, 3)
    .map((error) => `${error.instancePath || "/"} ${error.message ?? "is invalid"}`)
    .join("; ");
  return binary(
    valid,
    `expected output to match the JSON Schema: ${problems}`,
    "expected output not to match the JSON Schema, but it does",
  );
}

export function checkJsonPathEquals(assertion: AssertionOf<"json-path">, check: CheckContext): Check {
  const parsed = parseOutput(check.context.output);
  const wanted = typeof assertion.value === "string" ? check.fill(assertion.value) : assertion.value;
  const expected = wanted === undefined ? check.valueOrExpected(undefined) : wanted;
  const shownExpected = quote(JSON.stringify(expected), 60);
  if (!parsed.ok) {
    return binary(
      false,
      `expected ${assertion.path} in the output to equal ${shownExpected}, but the output is not JSON (${parsed.error})`,
      `expected ${assertion.path} not to equal ${shownExpected}`,
    );
  }
  const matches = JSONPath({ path: assertion.path, json: parsed.value as object, wrap: true, eval: "safe" }) as unknown[];
  if (matches.length === 0) {
    return binary(
      false,
      `expected ${assertion.path} in the output to equal ${shownExpected}, but nothing is at ${assertion.path}`,
      `expected ${assertion.path} not to equal ${shownExpected}`,
    );
  }
  // One match is compared as a value; a path that selects several (a wildcard, a filter) is compared as the list.
  const actual = matches.length === 1 ? matches[0] : matches;
  return binary(
    looselyEqual(actual, expected),
    `expected ${assertion.path} to equal ${shownExpected}, got ${quote(JSON.stringify(actual), 60)}`,
    `expected ${assertion.path} not to equal ${shownExpected}`,
  );
}

/**
 * Deep equality, except that a string expectation (a CSV cell, an expected output) also matches the JSON it spells:
 * "42" matches 42 and '{"a":1}' matches {a: 1}.
 */
function looselyEqual(actual: unknown, expected: unknown): boolean {
  if (isDeepStrictEqual(actual, expected)) return true;
  if (typeof expected === "string" && typeof actual !== "string") {
    const parsed = parseOutput(expected.trim());
    return parsed.ok && isDeepStrictEqual(actual, parsed.value);
  }
  if (typeof actual === "string" && (typeof expected === "number" || typeof expected === "boolean")) {
    return actual.trim() === String(expected);
  }
  return false;
}
