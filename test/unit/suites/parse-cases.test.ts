import { createReadStream } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/errors.ts";
import { parseCases } from "../../../lib/suites/parse-cases.ts";
import type { CaseFormat, ParsedCase } from "../../../lib/suites/schema.ts";

const fixtures = path.resolve(import.meta.dirname, "../../fixtures/suites");

async function collect(source: Parameters<typeof parseCases>[0], format: CaseFormat, startIndex?: number) {
  const cases: ParsedCase[] = [];
  for await (const parsed of parseCases(source, format, startIndex === undefined ? {} : { startIndex })) cases.push(parsed);
  return cases;
}

async function failure(text: string, format: CaseFormat): Promise<AppError> {
  try {
    await collect(Readable.from([text]), format);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the import to fail");
}

describe("CSV", () => {
  it("reads keys, variables (plain and vars.), expected, tags and assertions, with quoted fields", async () => {
    const cases = await collect(createReadStream(path.join(fixtures, "cases.csv")), "csv");
    expect(cases).toEqual([
      {
        row: 2,
        key: "capital-fr",
        keyGiven: true,
        variables: { question: "What is the capital of France?", tone: "formal" },
        expected: "Paris",
        tags: ["geo", "europe"],
        assertions: [{ type: "icontains", value: "paris", weight: 1 }],
      },
      {
        row: 3,
        key: "quote",
        keyGiven: true,
        variables: { question: 'He said "hi", then left.\nWho left?', tone: "casual" },
        expected: "He",
        tags: ["people", "quotes"],
        assertions: [],
      },
      {
        row: 4,
        key: "case-3",
        keyGiven: false,
        variables: { question: "Comma, inside", tone: "formal" },
        expected: null,
        tags: [],
        assertions: [],
      },
    ]);
  });

  it("numbers default keys after startIndex", async () => {
    const cases = await collect(Readable.from(["question\nx\ny\n"]), "csv", 10);
    expect(cases.map((parsed) => parsed.key)).toEqual(["case-11", "case-12"]);
  });

  it("a row with too many fields names its spreadsheet row (header = row 1)", async () => {
    const error = await failure("key,question,expected\na,one,x\nb,two,y,extra\n", "csv");
    expect(error.message).toBe("Row 3: Invalid Record Length: expect 3, got 4 on line 3");
    expect(error.details[0]?.row).toBe(3);
  });

  it("counts rows, not lines, when a quoted field spans lines", async () => {
    const error = await failure('key,question\na,"line one\nline two"\nb,ok\nc,x,y\n', "csv");
    expect(error.message).toMatch(/^Row 4: /);
  });

  it("an unclosed quote is reported", async () => {
    const error = await failure('key,question\na,"open\n', "csv");
    expect(error.message).toMatch(/^Row 2: Quote Not Closed/);
  });

  it("bad assertions JSON in a cell names the row and column", async () => {
    const error = await failure('key,assertions\na,"[{""type"":""equals""}]"\nb,[{type: equals}]\n', "csv");
    expect(error.message).toMatch(/^Row 3: assertions: not valid JSON/);
    expect(error.details[0]).toMatchObject({ row: 3, path: "assertions" });
  });

  it("an invalid assertion in a cell names the row and the assertion", async () => {
    const error = await failure('key,assertions\na,"[{""type"":""contains"",""value"":""x""},{""type"":""nope""}]"\n', "csv");
    expect(error.message).toBe('Row 2: assertions[1].type: unknown assertion type "nope"');
  });

  it("rejects a repeated column and an id/key pair", async () => {
    expect((await failure("question,vars.question\nx,y\n", "csv")).message).toBe(
      'Row 1: column 2: "vars.question" repeats column 1 ("question")',
    );
    expect((await failure("id,key\nx,y\n", "csv")).message).toBe('Row 1: column 2: "key" repeats column 1 ("id")');
  });

  it("strips a byte-order mark from the header", async () => {
    const cases = await collect(Readable.from(["\uFEFFkey,q\na,b\n"]), "csv");
    expect(cases[0]).toMatchObject({ key: "a", variables: { q: "b" } });
  });
});

describe("JSONL", () => {
  it("reads rows with id/vars/assert aliases and skips blank lines", async () => {
    const cases = await collect(createReadStream(path.join(fixtures, "cases.jsonl")), "jsonl");
    expect(cases.map((parsed) => [parsed.row, parsed.key, parsed.variables, parsed.expected])).toEqual([
      [1, "capital-fr", { question: "What is the capital of France?" }, "Paris"],
      [3, "sum", { a: 2, b: 3 }, "5"],
      [4, "case-3", { question: "No key" }, null],
    ]);
    expect(cases[1]?.assertions).toEqual([{ type: "equals", weight: 1 }]);
  });

  it("a malformed line reports its line number", async () => {
    const lines = Array.from({ length: 16 }, (_, index) => JSON.stringify({ key: `k${index}`, variables: {} }));
    lines.push('{"key": "k16", "expected": 42}');
    const error = await failure(lines.join("\n"), "jsonl");
    expect(error.message).toBe("Row 17: expected: Invalid input: expected string, received number");
    expect(error.details).toEqual([
      { row: 17, path: "expected", message: "Invalid input: expected string, received number" },
    ]);
  });

  it("invalid JSON and unknown keys are row errors", async () => {
    expect((await failure('{"key":"a"}\n{"key": "b",}\n', "jsonl")).message).toMatch(/^Row 2: not valid JSON/);
    expect((await failure('{"key":"a","expect":"x"}\n', "jsonl")).message).toBe('Row 1: expect: unknown key "expect"');
    expect((await failure('{"id":"a","key":"b"}\n', "jsonl")).message).toBe('Row 1: use either "id" or "key", not both');
    expect((await failure("[1,2]\n", "jsonl")).message).toBe("Row 1: a case must be an object");
  });
});

describe("JSON", () => {
  it("reads a top-level array item by item", async () => {
    const cases = await collect(createReadStream(path.join(fixtures, "cases.json")), "json");
    expect(cases).toEqual([
      {
        row: 1,
        key: "capital-fr",
        keyGiven: true,
        variables: { question: "What is the capital of France?" },
        expected: "Paris",
        tags: [],
        assertions: [],
      },
      {
        row: 2,
        key: "case-2",
        keyGiven: false,
        variables: { nested: { list: [1, 2, 3] } },
        expected: null,
        tags: ["json"],
        assertions: [{ type: "is-json", weight: 1 }],
      },
    ]);
  });

  it("an invalid item names its position", async () => {
    const error = await failure('[{"key":"a"},{"key":"b"},{"key":"c","tags":"x"}]', "json");
    expect(error.message).toBe("Row 3: tags: Invalid input: expected array, received string");
  });

  it("broken JSON names the item being read", async () => {
    expect((await failure('[{"key":"a"},{"key":"b"', "json")).message).toMatch(/^Row 2: not valid JSON/);
  });

  it("a top-level object is not a case list", async () => {
    expect((await failure('{"cases": []}', "json")).message).toBe(
      "A JSON case file must be an array of cases: [{...}, {...}]",
    );
  });

  it("reads from a web ReadableStream and an async generator of chunks", async () => {
    const web = new Blob(['[{"key":"w"}]']).stream();
    expect((await collect(web, "json"))[0]?.key).toBe("w");
    async function* chunks() {
      yield '[{"key":';
      yield '"g"}]';
    }
    expect((await collect(chunks(), "json"))[0]?.key).toBe("g");
  });
});

describe("JSON syntax errors across chunks", () => {
  it("counts the items before a syntax error even when they arrive in the same chunk", async () => {
    const items = Array.from({ length: 500 }, (_, index) => JSON.stringify({ key: `k${index}`, variables: { n: index } }));
    const text = `[${items.join(",")},{"key": "bad" "x"}]`;
    expect((await failure(text, "json")).message).toMatch(/^Row 501: not valid JSON/);
    async function* small() {
      for (let index = 0; index < text.length; index += 1000) yield text.slice(index, index + 1000);
    }
    await expect(collect(small(), "json")).rejects.toThrow(/^Row 501: not valid JSON/);
  });
});
