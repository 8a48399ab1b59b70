import { describe, expect, it } from "vitest";
import { compileJsonSchema, JSON_SCHEMA_CACHE_LIMIT, jsonSchemaCacheSize } from "../../../lib/assertions/compile.ts";
import { compileResponseSchema, responseSchemaProblem } from "../../../lib/prompts/response-schema.ts";

// Versions' response-format schemas: compiled without a shared, ever-growing Ajv, and one workspace's `$id` never
// stands for another's schema.

describe("response schemas", () => {
  it("keeps at most the bound of compiled schemas after 2,000 distinct ones", () => {
    for (let index = 0; index < 2000; index++) {
      compileResponseSchema({ type: "object", properties: { [`field${index}`]: { type: "integer", minimum: index } } });
    }
    expect(JSON_SCHEMA_CACHE_LIMIT).toBe(200);
    expect(jsonSchemaCacheSize()).toBe(200);
  }, 60_000);

  it("validates two different schemas with the same $id each by its own", () => {
    const first = compileResponseSchema({ $id: "urn:example:answer", type: "object", required: ["label"], properties: { label: { type: "string" } } });
    const second = compileResponseSchema({ $id: "urn:example:answer", type: "object", required: ["score"], properties: { score: { type: "number" } } });
    expect([first({ label: "yes" }), first({ score: 1 })]).toEqual([true, false]);
    expect([second({ score: 1 }), second({ label: "yes" })]).toEqual([true, false]);
  });

  it("resolves a schema's $ref to its own $id, not to another schema's", () => {
    const own = { $id: "urn:example:shared", definitions: { value: { type: "string" } }, $ref: "#/definitions/value" };
    const other = { $id: "urn:example:shared", definitions: { value: { type: "number" } }, $ref: "#/definitions/value" };
    expect(compileResponseSchema(own)("text")).toBe(true);
    expect(compileResponseSchema(other)("text")).toBe(false);
  });

  it("keeps a nested $defs $id of one schema from standing for another's (assertions and response formats share the compiler)", () => {
    const nested = (type: string) => ({ $defs: { item: { $id: "urn:example:item", type } }, type: "array", items: { $ref: "urn:example:item" } });
    // one through a version's response format, one through a JSON Schema assertion
    const strings = compileResponseSchema(nested("string"));
    const numbers = compileJsonSchema(nested("number"));
    expect([strings(["a"]), strings([1]), numbers([1]), numbers(["a"])]).toEqual([true, false, true, false]);
  });

  it("says why an invalid schema is invalid", () => {
    expect(responseSchemaProblem({ type: "nonsense" })).toMatch(/^data\/type must be equal to one of the allowed values/);
    expect(responseSchemaProblem({ type: "string" })).toBeNull();
  });
});
