import type { ValidateFunction } from "ajv";
import { compileJsonSchema } from "../assertions/compile.ts";

// The JSON Schemas of versions' response formats go through the same compiler as JSON Schema assertions: a fresh
// Ajv per schema behind one bounded cache, so no instance grows forever and no `$id` is shared across workspaces
// (lib/assertions/compile.ts says why), with patterns on the linear-time engine — a schema whose pattern RE2 cannot
// run is refused when the version is saved, not when an output is checked.

/** Throws with Ajv's message when `schema` is not a valid JSON Schema. */
export function compileResponseSchema(schema: object): ValidateFunction {
  return compileJsonSchema(schema as Record<string, unknown>);
}

/** Why `schema` is not a valid JSON Schema, or null. */
export function responseSchemaProblem(schema: object): string | null {
  try {
    compileResponseSchema(schema);
    return null;
  } catch (error) {
    // The field is already named by the caller; "schema is invalid: " would only repeat it.
    return (error instanceof Error ? error.message : String(error)).replace(/^schema is invalid: /, "");
  }
}
