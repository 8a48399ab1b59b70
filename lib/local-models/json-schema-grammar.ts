import type { GbnfJsonSchema, Llama, LlamaGrammar } from "node-llama-cpp";
import { invalidRequest } from "./api-errors.ts";

// OpenAI's `response_format: { type: "json_schema" }` through a llama.cpp grammar. node-llama-cpp converts a subset
// of JSON Schema to GBNF and silently treats the rest as "any" or "null" (`{}` becomes `null`, `#/definitions/x`
// becomes any JSON), so the schema is first translated here into exactly that subset: what can be expressed is
// expressed, and what cannot is reported. With `strict: true` a keyword the grammar cannot enforce is a 400 naming it;
// without, it is dropped and listed as a warning. Numbers are then bounded so every output parses to a finite number.

const SCHEMA_PARAM = "response_format.json_schema.schema";

/** Keywords that describe rather than constrain: accepted and dropped. */
const ANNOTATIONS = new Set([
  "title", "description", "default", "examples", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly",
  "$defs", "definitions", "strict", "nullable",
]);

/** What each JSON type may carry that the grammar enforces. */
const ENFORCED: Record<string, ReadonlySet<string>> = {
  string: new Set(["minLength", "maxLength", "format"]),
  number: new Set(),
  integer: new Set(),
  boolean: new Set(),
  null: new Set(),
  object: new Set(["properties", "required", "additionalProperties", "minProperties", "maxProperties"]),
  array: new Set(["items", "prefixItems", "minItems", "maxItems"]),
};

const STRING_FORMATS = new Set(["date-time", "date", "time"]);
const TYPES = new Set(Object.keys(ENFORCED));

export interface GrammarSchema {
  schema: GbnfJsonSchema;
  /** keywords that are not enforced, as `path: keyword` (only without strict) */
  ignored: string[];
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pathOf(path: string, key: string | number): string {
  return typeof key === "number" ? `${path}[${key}]` : `${path}.${key}`;
}

const ANY: GbnfJsonSchema = {
  oneOf: [
    { type: ["string", "number", "boolean", "null"] },
    { type: "array" },
    { type: "object", additionalProperties: true },
  ],
};

class Converter {
  readonly ignored: string[] = [];
  readonly definitions: Record<string, unknown> = {};

  constructor(private readonly strict: boolean) {}

  fail(path: string, message: string): never {
    throw invalidRequest(`Invalid '${path}': ${message}`, path, "invalid_json_schema");
  }

  unsupported(path: string, keyword: string): void {
    if (this.strict) {
      this.fail(pathOf(path, keyword), `'${keyword}' cannot be enforced by a llama.cpp grammar; remove it or set strict to false`);
    }
    this.ignored.push(`${path}: ${keyword}`);
  }

  collectDefinitions(schema: JsonObject, path: string): void {
    for (const key of ["$defs", "definitions"] as const) {
      const defs = schema[key];
      if (defs === undefined) continue;
      if (!isObject(defs)) this.fail(pathOf(path, key), "must be an object of schemas");
      for (const [name, definition] of Object.entries(defs)) {
        this.definitions[name] = definition;
      }
    }
  }

  convert(node: unknown, path: string): GbnfJsonSchema {
    if (node === true) return ANY;
    if (node === false) this.fail(path, "a schema that accepts nothing cannot be generated");
    if (!isObject(node)) this.fail(path, "must be a JSON Schema object");

    if (node.$ref !== undefined) return this.reference(node, path);
    if (node.const !== undefined) return { const: this.literal(node.const, pathOf(path, "const")) };
    if (node.enum !== undefined) {
      if (!Array.isArray(node.enum) || node.enum.length === 0) this.fail(pathOf(path, "enum"), "must be a non-empty array");
      return { enum: node.enum.map((value, index) => this.literal(value, pathOf(pathOf(path, "enum"), index))) };
    }
    for (const keyword of ["anyOf", "oneOf"] as const) {
      const options = node[keyword];
      if (options === undefined) continue;
      if (!Array.isArray(options) || options.length === 0) this.fail(pathOf(path, keyword), "must be a non-empty array of schemas");
      // Exclusivity (oneOf) cannot be checked while generating; any one branch is a valid answer in practice.
      return { oneOf: options.map((option, index) => this.convert(this.merge(node, option, keyword), pathOf(pathOf(path, keyword), index))) };
    }
    if (node.allOf !== undefined) {
      if (Array.isArray(node.allOf) && node.allOf.length === 1) return this.convert(this.merge(node, node.allOf[0], "allOf"), pathOf(path, "allOf[0]"));
      this.unsupported(path, "allOf");
    }

    const types = this.typesOf(node, path);
    if (types.length === 0) return ANY;
    const branches = types.map((type) => this.typed(node, type, path));
    if (branches.length === 1) return branches[0]!;
    if (types.every((type) => type !== "object" && type !== "array" && !(type === "string" && node.format !== undefined))) {
      // Scalar unions stay one basic schema: the grammar has a single rule for them.
      return { type: types as Array<"string" | "number" | "integer" | "boolean" | "null"> };
    }
    return { oneOf: branches };
  }

  /** An anyOf/oneOf/allOf branch inherits the keywords written next to it (e.g. `type` beside `anyOf`). */
  private merge(parent: JsonObject, branch: unknown, keyword: string): unknown {
    if (!isObject(branch)) return branch;
    const inherited = Object.fromEntries(
      Object.entries(parent).filter(([key]) => key !== keyword && !ANNOTATIONS.has(key) && !["anyOf", "oneOf", "allOf"].includes(key)),
    );
    return { ...inherited, ...branch };
  }

  private literal(value: unknown, path: string): string | number | boolean | null {
    if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
    this.fail(path, "only string, number, boolean and null values can be generated exactly");
  }

  private reference(node: JsonObject, path: string): GbnfJsonSchema {
    const ref = node.$ref;
    const match = typeof ref === "string" ? /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref) : null;
    if (!match) this.fail(pathOf(path, "$ref"), `only references to "#/$defs/<name>" or "#/definitions/<name>" are supported (got ${JSON.stringify(ref)})`);
    const name = decodeURIComponent(match[1]!.replaceAll("~1", "/").replaceAll("~0", "~"));
    if (!(name in this.definitions)) this.fail(pathOf(path, "$ref"), `no definition named "${name}"`);
    return { $ref: `#/$defs/${name}` } as GbnfJsonSchema;
  }

  private typesOf(node: JsonObject, path: string): string[] {
    const declared = node.type;
    if (declared === undefined) {
      if (node.properties !== undefined || node.additionalProperties !== undefined || node.required !== undefined) return ["object"];
      if (node.items !== undefined || node.prefixItems !== undefined) return ["array"];
      return [];
    }
    const types = Array.isArray(declared) ? declared : [declared];
    for (const [index, type] of types.entries()) {
      if (typeof type !== "string" || !TYPES.has(type)) {
        this.fail(Array.isArray(declared) ? pathOf(pathOf(path, "type"), index) : pathOf(path, "type"), `unknown type ${JSON.stringify(type)}`);
      }
    }
    return [...new Set(types as string[])];
  }

  private typed(node: JsonObject, type: string, path: string): GbnfJsonSchema {
    const enforced = ENFORCED[type]!;
    for (const key of Object.keys(node)) {
      if (key === "type" || key === "allOf" || ANNOTATIONS.has(key) || enforced.has(key)) continue;
      // A keyword of another type in a union ("minLength" next to type ["string", "null"]) applies to that type only.
      if (Object.entries(ENFORCED).some(([other, keys]) => other !== type && keys.has(key))) continue;
      this.unsupported(path, key);
    }
    switch (type) {
      case "string":
        return this.string(node, path);
      case "object":
        return this.object(node, path);
      case "array":
        return this.array(node, path);
      default:
        return { type: type as "number" | "integer" | "boolean" | "null" };
    }
  }

  private count(node: JsonObject, key: string, path: string): number | undefined {
    const value = node[key];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) this.fail(pathOf(path, key), "must be a non-negative integer");
    return value;
  }

  private string(node: JsonObject, path: string): GbnfJsonSchema {
    if (node.format !== undefined) {
      if (typeof node.format === "string" && STRING_FORMATS.has(node.format)) {
        return { type: "string", format: node.format as "date-time" | "date" | "time" };
      }
      this.unsupported(path, "format");
    }
    const minLength = this.count(node, "minLength", path);
    const maxLength = this.count(node, "maxLength", path);
    if (minLength !== undefined && maxLength !== undefined && maxLength < minLength) this.fail(pathOf(path, "maxLength"), "is less than minLength");
    return { type: "string", ...(minLength !== undefined ? { minLength } : {}), ...(maxLength !== undefined ? { maxLength } : {}) };
  }

  private object(node: JsonObject, path: string): GbnfJsonSchema {
    const properties: Record<string, GbnfJsonSchema> = {};
    if (node.properties !== undefined) {
      if (!isObject(node.properties)) this.fail(pathOf(path, "properties"), "must be an object of schemas");
      for (const [name, property] of Object.entries(node.properties)) {
        properties[name] = this.convert(property, pathOf(pathOf(path, "properties"), name));
      }
    }
    if (node.required !== undefined) {
      if (!Array.isArray(node.required) || node.required.some((name) => typeof name !== "string")) {
        this.fail(pathOf(path, "required"), "must be an array of property names");
      }
      const missing = (node.required as string[]).find((name) => !(name in properties));
      // The grammar writes exactly the listed properties; a required name with no schema could never appear.
      if (missing !== undefined && node.additionalProperties === false) {
        this.fail(pathOf(path, "required"), `"${missing}" is required but not among the properties`);
      }
    }
    const additional = node.additionalProperties;
    const minProperties = this.count(node, "minProperties", path);
    const maxProperties = this.count(node, "maxProperties", path);
    const hasProperties = Object.keys(properties).length > 0;
    return {
      type: "object",
      ...(hasProperties ? { properties } : {}),
      // Without properties, an object with no rule for its members can only be `{}`; JSON Schema means "anything".
      additionalProperties:
        additional === undefined ? !hasProperties : typeof additional === "boolean" ? additional : this.convert(additional, pathOf(path, "additionalProperties")),
      ...(minProperties !== undefined ? { minProperties } : {}),
      ...(maxProperties !== undefined ? { maxProperties } : {}),
    } as GbnfJsonSchema;
  }

  private array(node: JsonObject, path: string): GbnfJsonSchema {
    let prefixItems: GbnfJsonSchema[] | undefined;
    let items: GbnfJsonSchema | undefined;
    if (node.prefixItems !== undefined) {
      if (!Array.isArray(node.prefixItems)) this.fail(pathOf(path, "prefixItems"), "must be an array of schemas");
      prefixItems = node.prefixItems.map((item, index) => this.convert(item, pathOf(pathOf(path, "prefixItems"), index)));
    }
    if (Array.isArray(node.items)) {
      // Draft 4-7 tuple form.
      prefixItems = node.items.map((item, index) => this.convert(item, pathOf(pathOf(path, "items"), index)));
    } else if (node.items !== undefined) {
      items = this.convert(node.items, pathOf(path, "items"));
    }
    const minItems = this.count(node, "minItems", path);
    const maxItems = this.count(node, "maxItems", path);
    if (minItems !== undefined && maxItems !== undefined && maxItems < minItems) this.fail(pathOf(path, "maxItems"), "is less than minItems");
    return {
      type: "array",
      ...(items ? { items } : {}),
      ...(prefixItems ? { prefixItems } : {}),
      ...(minItems !== undefined ? { minItems } : {}),
      ...(maxItems !== undefined ? { maxItems } : {}),
    } as GbnfJsonSchema;
  }
}

/** Translates a JSON Schema into what node-llama-cpp's grammar generator enforces. Throws a 400 naming the keyword. */
export function toGrammarSchema(schema: unknown, options: { strict: boolean }): GrammarSchema {
  const converter = new Converter(options.strict);
  if (isObject(schema)) converter.collectDefinitions(schema, SCHEMA_PARAM);
  const root = converter.convert(schema, SCHEMA_PARAM);
  const $defs: Record<string, GbnfJsonSchema> = {};
  for (const [name, definition] of Object.entries(converter.definitions)) {
    $defs[name] = converter.convert(definition, `${SCHEMA_PARAM}.$defs.${name}`);
  }
  if (Object.keys($defs).length === 0) return { schema: root, ignored: converter.ignored };
  // Definitions travel on a wrapper node, which node-llama-cpp scopes over everything below it.
  return { schema: { oneOf: [root], $defs } as GbnfJsonSchema, ignored: converter.ignored };
}

/**
 * node-llama-cpp's and llama.cpp's number rules allow exponents of up to 16 digits (`4768e361` parses to Infinity)
 * and exponents on integers. Integers lose their exponent and other exponents get at most two digits, so every
 * generated number is finite; the rest of the grammar is untouched.
 */
export function boundNumberRules(grammar: string): string {
  return grammar
    .split("\n")
    .map((line) => {
      const isInteger = /^integer-number-rule\s*::=/.test(line);
      return line.replace(/\(\[eE\] \[-\+\]\? (?:\("0" \| \[1-9\] \[0-9\]\{0,15\}\)|\[0-9\] \[1-9\]\{0,15\})\)\?/g, isInteger ? "" : '([eE] [-+]? [0-9] [0-9]?)?');
    })
    .map((line) => line.replace(/\s+$/, ""))
    .join("\n");
}

const grammarCache = new WeakMap<Llama, Map<string, Promise<LlamaGrammar>>>();

/** The grammar for a translated schema (or for any JSON object when `schema` is undefined), cached per llama. */
export function grammarForSchema(llama: Llama, schema: GbnfJsonSchema | undefined): Promise<LlamaGrammar> {
  let cache = grammarCache.get(llama);
  if (!cache) {
    cache = new Map();
    grammarCache.set(llama, cache);
  }
  const key = schema === undefined ? "json" : JSON.stringify(schema);
  let grammar = cache.get(key);
  if (!grammar) {
    grammar = (async () => {
      const source = schema === undefined ? await llama.getGrammarFor("json") : await llama.createGrammarForJsonSchema(schema as Parameters<Llama["createGrammarForJsonSchema"]>[0]);
      return llama.createGrammar({
        grammar: boundNumberRules(source.grammar),
        stopGenerationTriggers: source.stopGenerationTriggers,
        trimWhitespaceSuffix: source.trimWhitespaceSuffix,
        rootRuleName: source.rootRuleName,
      });
    })();
    cache.set(key, grammar);
    // The caller awaiting `grammar` gets the error; this only forgets the failure so the next request tries again.
    grammar.catch(() => cache.delete(key));
  }
  return grammar;
}
