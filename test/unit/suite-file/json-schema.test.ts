import { readFile } from "node:fs/promises";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { suiteFileJsonSchema } from "../../../lib/suite-file/json-schema.ts";
import { parseSuiteFile } from "../../../lib/suite-file/parse.ts";

const docs = path.resolve(import.meta.dirname, "../../../docs");

async function documentedExample(): Promise<string> {
  const text = await readFile(path.join(docs, "suite-file.md"), "utf8");
  const block = /```yaml\n([\s\S]*?)```/.exec(text)?.[1];
  if (!block) throw new Error("docs/suite-file.md has no yaml example");
  return block;
}

describe("the suite file's JSON Schema", () => {
  it("is what docs/suite-file.schema.json holds (regenerate with `npx assay eval --schema`)", async () => {
    const committed = JSON.parse(await readFile(path.join(docs, "suite-file.schema.json"), "utf8")) as unknown;
    expect(committed).toEqual(suiteFileJsonSchema());
  });

  it("accepts the documented example, which the parser accepts too, and rejects what the parser rejects", async () => {
    const example = await documentedExample();
    const { raw, config } = parseSuiteFile(example, "example.yaml");
    expect(config.prompts).toHaveLength(2);
    expect(Array.isArray(config.cases) && config.cases.length).toBe(2);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(suiteFileJsonSchema());
    expect(validate(raw), JSON.stringify(validate.errors)).toBe(true);

    const misspelt = { ...(raw as Record<string, unknown>), concurency: 4 };
    expect(validate(misspelt)).toBe(false);
    expect(() => parseSuiteFile(example.replace("concurrency: 10", "concurency: 10"), "example.yaml")).toThrow(/unknown key "concurency"/);
  });
});
