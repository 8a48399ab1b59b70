import type { Llama } from "node-llama-cpp";
import { beforeAll, describe, expect, it } from "vitest";
import { OpenAiApiError } from "../../../lib/local-models/api-errors.ts";
import { boundNumberRules, grammarForSchema, toGrammarSchema } from "../../../lib/local-models/json-schema-grammar.ts";
import { testLlama } from "../../support/local-models.ts";

function failure(run: () => unknown): OpenAiApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof OpenAiApiError) return error;
    throw error;
  }
  throw new Error("expected an OpenAiApiError");
}

describe("toGrammarSchema", () => {
  it("keeps what the grammar enforces", () => {
    const { schema, ignored } = toGrammarSchema(
      {
        type: "object",
        properties: {
          label: { enum: ["positive", "negative", "mixed"] },
          score: { type: "number", description: "0 to 1" },
          tags: { type: "array", items: { type: "string", maxLength: 12 }, minItems: 1, maxItems: 3 },
          note: { type: ["string", "null"] },
          when: { type: "string", format: "date" },
        },
        required: ["label", "score", "tags", "note", "when"],
        additionalProperties: false,
      },
      { strict: true },
    );
    expect(ignored).toEqual([]);
    expect(schema).toEqual({
      type: "object",
      properties: {
        label: { enum: ["positive", "negative", "mixed"] },
        score: { type: "number" },
        tags: { type: "array", items: { type: "string", maxLength: 12 }, minItems: 1, maxItems: 3 },
        note: { type: ["string", "null"] },
        when: { type: "string", format: "date" },
      },
      additionalProperties: false,
    });
  });

  it("turns anyOf into the grammar's alternatives and definitions into $defs", () => {
    const { schema } = toGrammarSchema(
      {
        type: "object",
        properties: { item: { anyOf: [{ $ref: "#/definitions/item" }, { type: "null" }] } },
        required: ["item"],
        additionalProperties: false,
        definitions: { item: { type: "object", properties: { id: { type: "integer" } }, required: ["id"], additionalProperties: false } },
      },
      { strict: true },
    );
    expect(schema).toEqual({
      oneOf: [
        {
          type: "object",
          properties: { item: { oneOf: [{ $ref: "#/$defs/item" }, { type: "null" }] } },
          additionalProperties: false,
        },
      ],
      $defs: { item: { type: "object", properties: { id: { type: "integer" } }, additionalProperties: false } },
    });
  });

  it("reads an object without properties as any object, not only {}", () => {
    expect(toGrammarSchema({ type: "object" }, { strict: false }).schema).toEqual({ type: "object", additionalProperties: true });
  });

  it("refuses, under strict, a keyword the grammar cannot enforce, naming where it is", () => {
    const error = failure(() =>
      toGrammarSchema({ type: "object", properties: { code: { type: "string", pattern: "^[A-Z]{3}$" } } }, { strict: true }),
    );
    expect(error.code).toBe("bad_request");
    expect(error.param).toBe("response_format.json_schema.schema.properties.code.pattern");
    expect(error.openAiCode).toBe("invalid_json_schema");
    expect(error.message).toContain("'pattern' cannot be enforced");
  });

  it("drops such a keyword without strict and says so", () => {
    const { schema, ignored } = toGrammarSchema({ type: "integer", minimum: 0, maximum: 10 }, { strict: false });
    expect(schema).toEqual({ type: "integer" });
    expect(ignored).toEqual(["response_format.json_schema.schema: minimum", "response_format.json_schema.schema: maximum"]);
  });

  it.each([
    [{ type: "text" }, "response_format.json_schema.schema.type", 'unknown type "text"'],
    [{ $ref: "#/components/x" }, "response_format.json_schema.schema.$ref", "only references"],
    [{ $ref: "#/$defs/missing" }, "response_format.json_schema.schema.$ref", 'no definition named "missing"'],
    [{ enum: [] }, "response_format.json_schema.schema.enum", "non-empty"],
    [{ const: { a: 1 } }, "response_format.json_schema.schema.const", "only string, number"],
    [{ type: "string", minLength: 5, maxLength: 2 }, "response_format.json_schema.schema.maxLength", "less than minLength"],
    [false, "response_format.json_schema.schema", "accepts nothing"],
  ])("rejects %j at %s", (schema, param, message) => {
    const error = failure(() => toGrammarSchema(schema, { strict: false }));
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
  });
});

describe("boundNumberRules", () => {
  it("takes exponents off integers and limits other exponents to two digits", () => {
    const grammar = [
      'root ::= "{" integer-number-rule "," fractional-number-rule "}"',
      'integer-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15}) ([eE] [-+]? ("0" | [1-9] [0-9]{0,15}))?',
      'fractional-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? ("0" | [1-9] [0-9]{0,15}))?',
      'number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws',
    ].join("\n");
    expect(boundNumberRules(grammar).split("\n")).toEqual([
      'root ::= "{" integer-number-rule "," fractional-number-rule "}"',
      'integer-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15})',
      'fractional-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9] [0-9]?)?',
      'number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [0-9]?)? ws',
    ]);
  });
});

describe("grammarForSchema with llama.cpp", () => {
  let llama: Llama;
  beforeAll(async () => {
    llama = await testLlama();
  }, 60_000);

  it("compiles the translated schema with bounded numbers and the JSON stop trigger", async () => {
    const { schema } = toGrammarSchema({ type: "object", properties: { n: { type: "integer" }, x: { type: "number" } } }, { strict: true });
    const grammar = await grammarForSchema(llama, schema);
    expect(grammar.grammar).toMatch(/^integer-number-rule ::= "-"\? \("0" \| \[1-9\] \[0-9\]\{0,15\}\)$/m);
    expect(grammar.grammar).not.toContain("[0-9]{0,15}))?");
    expect(grammar.stopGenerationTriggers.map(String)).toEqual(["\n\n\n\n"]);
    expect(await grammarForSchema(llama, schema)).toBe(grammar);
  });

  it("bounds the JSON object grammar too", async () => {
    const grammar = await grammarForSchema(llama, undefined);
    expect(grammar.grammar).toContain("([eE] [-+]? [0-9] [0-9]?)?");
    expect(grammar.grammar).toMatch(/^root\s+::= object/m);
  });
});
