import { Ajv, type ValidateFunction } from "ajv";
import { ajvRegExpEngine } from "../assertions/linear-regex.ts";

// The JSON Schemas of versions' response formats. Each compile gets a fresh Ajv: one shared instance keeps every
// schema it ever compiled (it grows with every save) and registers each `$id` (nested ones too) install-wide, so two
// workspaces using the same `$id` for different schemas collided ("schema with key or id … already exists") or
// resolved a `$ref` to the other's. Compiled validators are kept by content in a bounded least-recently-used cache:
// the same content compiles to the same validator whoever saved it. Checking a schema against the meta-schema is the
// expensive part of a fresh instance, so one shared instance does only that: validating never registers the schema.

export const RESPONSE_SCHEMA_CACHE_LIMIT = 200;

const compiled = new Map<string, ValidateFunction>();

// `pattern`s compile on the linear-time engine, as in assertions: a schema whose pattern RE2 cannot run is refused
// when the version is saved, not when an output is checked.
const OPTIONS = { strict: false, allErrors: true, code: { regExp: ajvRegExpEngine } } as const;
const metaValidator = new Ajv(OPTIONS);

/** Throws with Ajv's message when `schema` is not a valid JSON Schema. */
export function compileResponseSchema(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = compiled.get(key);
  if (cached) {
    // Map order is insertion order: re-inserting marks it most recently used.
    compiled.delete(key);
    compiled.set(key, cached);
    return cached;
  }
  if (!metaValidator.validateSchema(schema)) throw new Error(metaValidator.errorsText(metaValidator.errors));
  const validate = new Ajv({ ...OPTIONS, validateSchema: false }).compile(schema);
  if (compiled.size >= RESPONSE_SCHEMA_CACHE_LIMIT) {
    const oldest = compiled.keys().next();
    if (!oldest.done) compiled.delete(oldest.value);
  }
  compiled.set(key, validate);
  return validate;
}

/** Why `schema` is not a valid JSON Schema, or null. */
export function responseSchemaProblem(schema: object): string | null {
  try {
    compileResponseSchema(schema);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function responseSchemaCacheSize(): number {
  return compiled.size;
}
