import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { JSONPath } from "jsonpath-plus";
import { messageOf } from "../errors.ts";
import { ajvRegExpEngine, compileLinearRegex, type LinearRegex } from "./linear-regex.ts";

// Compiled validators and patterns are cached by their source: the same suite assertion is evaluated once per cell,
// and compiling a JSON Schema costs far more than validating against it.
const cacheLimit = 500;
const schemaCache = new Map<string, ValidateFunction>();
const regexCache = new Map<string, LinearRegex>();

// ajv-formats is CommonJS; under ESM its default export is the plugin itself or a namespace holding it.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as typeof addFormatsModule;

type AnyAjv = Ajv | Ajv2019 | Ajv2020;
let validators: { draft07: AnyAjv; draft2019: AnyAjv; draft2020: AnyAjv } | undefined;

function ajvFor(schema: Record<string, unknown>): AnyAjv {
  // `pattern` and `patternProperties` run on the linear-time engine: a schema is user input like a regex assertion.
  const options = { allErrors: true, strict: false, code: { regExp: ajvRegExpEngine } };
  validators ??= {
    draft07: addFormats(new Ajv(options)),
    draft2019: addFormats(new Ajv2019(options)),
    draft2020: addFormats(new Ajv2020(options)),
  };
  const dialect = typeof schema.$schema === "string" ? schema.$schema : "";
  if (dialect.includes("2020-12")) return validators.draft2020;
  if (dialect.includes("2019-09")) return validators.draft2019;
  return validators.draft07;
}

/** Compiles a JSON Schema, throwing with Ajv's message when the schema itself is invalid. */
export function compileJsonSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = schemaCache.get(key);
  if (cached) return cached;
  const ajv = ajvFor(schema);
  // A schema with an $id can be compiled once per Ajv instance; remove it so recompiling after eviction works.
  if (typeof schema.$id === "string") ajv.removeSchema(schema.$id);
  const validate = ajv.compile(schema);
  remember(schemaCache, key, validate);
  return validate;
}

/** A user pattern on the linear-time engine; throws UnsupportedPatternError for what it cannot run. */
export function compileRegex(pattern: string, flags: string | undefined): LinearRegex {
  const key = `${flags ?? ""}/${pattern}`;
  const cached = regexCache.get(key);
  if (cached) return cached;
  const compiled = compileLinearRegex(pattern, flags);
  remember(regexCache, key, compiled);
  return compiled;
}

/** jsonpath-plus accepts almost any string, so catch the mistakes users make: no `$`, unbalanced brackets. */
export function checkJsonPath(path: string): string | undefined {
  if (!path.startsWith("$")) return `JSONPath "${path}" must start with $ (for example $.answer)`;
  let brackets = 0;
  let parentheses = 0;
  let quote: string | undefined;
  for (const character of path) {
    if (quote) {
      if (character === quote) quote = undefined;
      continue;
    }
    if (character === "'" || character === '"') quote = character;
    else if (character === "[") brackets++;
    else if (character === "]") brackets--;
    else if (character === "(") parentheses++;
    else if (character === ")") parentheses--;
    if (brackets < 0 || parentheses < 0) return `JSONPath "${path}" closes a bracket it never opened`;
  }
  if (quote || brackets !== 0 || parentheses !== 0) return `JSONPath "${path}" has an unclosed bracket or quote`;
  try {
    JSONPath({ path, json: { sample: { value: 1 }, list: [{ value: 1 }] }, wrap: true, eval: "safe" });
  } catch (error) {
    return `invalid JSONPath "${path}": ${messageOf(error)}`;
  }
  return undefined;
}

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= cacheLimit) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, value);
}
