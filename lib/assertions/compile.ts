import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { JSONPath } from "jsonpath-plus";
import { messageOf } from "../errors.ts";
import { ajvRegExpEngine, compileLinearRegex, type LinearRegex } from "./linear-regex.ts";

// Compiled validators and patterns are cached by their source: the same suite assertion is evaluated once per cell,
// and compiling a JSON Schema costs far more than validating against it.
//
// JSON Schemas — assertions' and versions' response formats alike — are compiled each by a fresh Ajv instance. One
// shared instance keeps every schema it ever compiled (it grows with every new schema, whatever our own cache
// evicts) and registers each `$id`, nested ones too, process-wide: two workspaces using one `$id` for different
// schemas collided ("schema with key or id … already exists") or resolved a `$ref` to the other's. Checking a schema
// against its meta-schema is the expensive part of a fresh instance, so one shared instance per dialect does only
// that: validating a schema never registers it. Compiled validators are kept by content in a bounded
// least-recently-used cache: the same content compiles to the same validator whoever wrote it.
export const JSON_SCHEMA_CACHE_LIMIT = 200;
const regexCacheLimit = 500;
const schemaCache = new Map<string, ValidateFunction>();
const regexCache = new Map<string, LinearRegex>();

// ajv-formats is CommonJS; under ESM its default export is the plugin itself or a namespace holding it.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as typeof addFormatsModule;

type AnyAjv = Ajv | Ajv2019 | Ajv2020;
type Dialect = "draft07" | "draft2019" | "draft2020";
// `pattern` and `patternProperties` run on the linear-time engine: a schema is user input like a regex assertion.
const OPTIONS = { allErrors: true, strict: false, code: { regExp: ajvRegExpEngine } };
const metaValidators = new Map<Dialect, AnyAjv>();

function dialectOf(schema: Record<string, unknown>): Dialect {
  const dialect = typeof schema.$schema === "string" ? schema.$schema : "";
  if (dialect.includes("2020-12")) return "draft2020";
  if (dialect.includes("2019-09")) return "draft2019";
  return "draft07";
}

function newAjv(dialect: Dialect, validateSchema: boolean): AnyAjv {
  const options = { ...OPTIONS, validateSchema };
  if (dialect === "draft2020") return addFormats(new Ajv2020(options));
  if (dialect === "draft2019") return addFormats(new Ajv2019(options));
  return addFormats(new Ajv(options));
}

/** Compiles a JSON Schema, throwing "schema is invalid: …" (Ajv's words) when the schema itself is invalid. */
export function compileJsonSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = schemaCache.get(key);
  if (cached) {
    // Map order is insertion order: re-inserting marks it most recently used.
    schemaCache.delete(key);
    schemaCache.set(key, cached);
    return cached;
  }
  const dialect = dialectOf(schema);
  let meta = metaValidators.get(dialect);
  if (!meta) {
    meta = newAjv(dialect, true);
    metaValidators.set(dialect, meta);
  }
  if (!meta.validateSchema(schema)) throw new Error(`schema is invalid: ${meta.errorsText(meta.errors)}`);
  const validate = newAjv(dialect, false).compile(schema);
  remember(schemaCache, key, validate, JSON_SCHEMA_CACHE_LIMIT);
  return validate;
}

/** How many compiled schemas the cache holds (at most JSON_SCHEMA_CACHE_LIMIT). */
export function jsonSchemaCacheSize(): number {
  return schemaCache.size;
}

/** A user pattern on the linear-time engine; throws UnsupportedPatternError for what it cannot run. */
export function compileRegex(pattern: string, flags: string | undefined): LinearRegex {
  const key = `${flags ?? ""}/${pattern}`;
  const cached = regexCache.get(key);
  if (cached) return cached;
  const compiled = compileLinearRegex(pattern, flags);
  remember(regexCache, key, compiled, regexCacheLimit);
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

function remember<T>(cache: Map<string, T>, key: string, value: T, limit: number): void {
  if (cache.size >= limit) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, value);
}
