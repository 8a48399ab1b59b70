import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rejection } from "../support/app-error.ts";
import { jsonlCases } from "../support/jsonl-cases.ts";

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const suites = await import("../../lib/suites/suites.ts");
const { importCases } = await import("../../lib/suites/import-cases.ts");
const { exportCases } = await import("../../lib/suites/export-cases.ts");

let workspaceId: string;
let otherWorkspaceId: string;

beforeAll(async () => {
  const stamp = `${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Suites", slug: `suites-${stamp}` } })).id;
  otherWorkspaceId = (await db.workspace.create({ data: { name: "Other", slug: `other-${stamp}` } })).id;
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: { in: [workspaceId, otherWorkspaceId] } } });
  await db.$disconnect();
});

async function text(source: AsyncIterable<string>): Promise<string> {
  let result = "";
  for await (const part of source) result += part;
  return result;
}


describe("suite CRUD", () => {
  it("creates, renames, lists and scopes suites to their workspace", async () => {
    const suite = await suites.createSuite(workspaceId, {
      name: "crud",
      assertions: [{ type: "contains", value: "x" }],
    });
    expect(suite).toMatchObject({ name: "crud", description: "", caseCount: 0 });
    expect(suite.assertions).toEqual([{ type: "contains", value: "x", weight: 1 }]);
    expect((await rejection(suites.createSuite(workspaceId, { name: "crud" }))).code).toBe("conflict");
    const updated = await suites.updateSuite(workspaceId, suite.id, { name: "crud-2", description: "about" });
    expect(updated).toMatchObject({ name: "crud-2", description: "about" });
    expect((await suites.listSuites(workspaceId)).map((item) => item.name)).toContain("crud-2");
    expect((await rejection(suites.getSuite(otherWorkspaceId, suite.id))).code).toBe("not_found");
    const invalid = await rejection(suites.updateSuite(workspaceId, suite.id, { assertions: [{ type: "nope" } as never] }));
    expect(invalid.code).toBe("bad_request");
    expect(invalid.message).toBe('assertions[0].type: unknown assertion type "nope"');
    expect((await suites.getSuite(workspaceId, suite.id)).assertions).toEqual([{ type: "contains", value: "x", weight: 1 }]);
  });

  it("adds, updates, pages and deletes cases", async () => {
    const suite = await suites.createSuite(workspaceId, { name: "cases" });
    const first = await suites.upsertCase(workspaceId, suite.id, { variables: { q: "a" }, expected: "A" });
    const second = await suites.upsertCase(workspaceId, suite.id, { key: "b", variables: { q: "b" }, tags: ["t"] });
    expect(first).toMatchObject({ key: "case-1", position: 0 });
    expect(second).toMatchObject({ key: "b", position: 1 });
    const conflict = await rejection(suites.upsertCase(workspaceId, suite.id, { key: "b" }));
    expect(conflict.code).toBe("conflict");
    await suites.upsertCase(workspaceId, suite.id, { id: first.id, key: "a", variables: { q: "a2" }, expected: null });
    const page = await suites.listCases(workspaceId, suite.id, { offset: 0, limit: 1 });
    expect(page.total).toBe(2);
    expect(page.cases).toEqual([expect.objectContaining({ key: "a", variables: { q: "a2" }, expected: null })]);
    expect((await suites.listCases(workspaceId, suite.id, { tag: "t" })).cases.map((item) => item.key)).toEqual(["b"]);
    await suites.deleteCase(workspaceId, suite.id, second.id);
    expect((await suites.getSuite(workspaceId, suite.id)).caseCount).toBe(1);
    expect((await rejection(suites.deleteCase(workspaceId, suite.id, second.id))).code).toBe("not_found");
  });
});

describe("import", () => {
  // How fast and in how much memory the import runs is measured by `npm run bench:import`; this test keeps what
  // the import must do with that many rows.
  it("imports 100,000 JSONL rows streamed from a generator, in suite order", async () => {
    const suite = await suites.createSuite(workspaceId, { name: "big" });
    const progress: number[] = [];
    const source = Readable.from(jsonlCases(100_000, {}, (line) => progress.push(line)));
    const summary = await importCases(workspaceId, suite.id, source, "jsonl");
    expect(summary).toEqual({ imported: 100_000, replaced: 0, mode: "append" });
    expect(await db.case.count({ where: { suiteId: suite.id } })).toBe(100_000);
    const last = await db.case.findFirstOrThrow({ where: { suiteId: suite.id }, orderBy: { position: "desc" } });
    expect(last).toMatchObject({ key: "k100000", position: 99_999, expected: "200000", tags: ["other"] });
    // The source was read to its end, not buffered ahead of the writes and dropped.
    expect(progress).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000]);

    // A malformed row near the end of a replacing import changes nothing.
    const failed = await rejection(
      importCases(
        workspaceId,
        suite.id,
        Readable.from(jsonlCases(100_000, { 99_990: '{"key":"bad","expected":7}' })),
        "jsonl",
        { mode: "replace" },
      ),
    );
    expect(failed.message).toBe("Row 99990: expected: Invalid input: expected string, received number");
    expect(failed.details).toEqual([{ row: 99_990, path: "expected", message: expect.any(String) }]);
    expect(await db.case.count({ where: { suiteId: suite.id } })).toBe(100_000);

    let lines = 0;
    for await (const chunk of exportCases(suite.id, "jsonl")) lines += chunk.split("\n").length - 1;
    expect(lines).toBe(100_000);
  });

  it("a duplicate key is a row error and nothing is stored", async () => {
    const suite = await suites.createSuite(workspaceId, { name: "duplicates" });
    const source = ['{"key":"a"}', '{"key":"b"}', '{"key":"a"}'].join("\n");
    const error = await rejection(importCases(workspaceId, suite.id, Readable.from([source]), "jsonl"));
    expect(error.message).toBe('Row 3: key: "a" is already the key of row 1');
    // across batches, and against cases already in the suite
    await importCases(workspaceId, suite.id, Readable.from(['{"key":"kept"}']), "jsonl");
    const rows = Array.from({ length: 1500 }, (_, index) => JSON.stringify({ key: `n${index}` }));
    rows.push('{"key":"n3"}');
    const across = await rejection(importCases(workspaceId, suite.id, Readable.from([rows.join("\n")]), "jsonl"));
    expect(across.message).toBe('Row 1501: key: "n3" is already the key of an earlier row or a case already in the suite');
    const existing = await rejection(importCases(workspaceId, suite.id, Readable.from(['{"key":"kept"}']), "jsonl"));
    expect(existing.message).toMatch(/^Row 1: key: "kept" is already the key/);
    expect(await db.case.count({ where: { suiteId: suite.id } })).toBe(1);
  });

  it("appends after existing cases with default keys that do not collide", async () => {
    const suite = await suites.createSuite(workspaceId, { name: "append" });
    await importCases(workspaceId, suite.id, Readable.from(['{"key":"case-2"}\n{"key":"x"}']), "jsonl");
    await importCases(workspaceId, suite.id, Readable.from(["q\none\ntwo\n"]), "csv");
    const { cases } = await suites.listCases(workspaceId, suite.id);
    expect(cases.map((item) => [item.position, item.key])).toEqual([
      [0, "case-2"],
      [1, "x"],
      [2, "case-3"],
      [3, "case-4"],
    ]);
  });

  it("replace refuses to discard run results unless asked", async () => {
    const suite = await suites.createSuite(workspaceId, { name: "with-results" });
    await importCases(workspaceId, suite.id, Readable.from(['{"key":"a"}']), "jsonl");
    const stored = await db.case.findFirstOrThrow({ where: { suiteId: suite.id } });
    const run = await db.run.create({ data: { workspaceId, suiteId: suite.id, config: {} } });
    const variant = await db.variant.create({
      data: { runId: run.id, position: 0, label: "v", prompt: {}, model: "m", params: {} },
    });
    await db.result.create({ data: { runId: run.id, variantId: variant.id, caseId: stored.id, output: "x" } });
    const refused = await rejection(
      importCases(workspaceId, suite.id, Readable.from(['{"key":"b"}']), "jsonl", { mode: "replace" }),
    );
    expect(refused.code).toBe("conflict");
    expect(refused.message).toMatch(/would delete 1 run result/);
    const summary = await importCases(workspaceId, suite.id, Readable.from(['{"key":"b"}']), "jsonl", {
      mode: "replace",
      discardResults: true,
    });
    expect(summary).toEqual({ imported: 1, replaced: 1, mode: "replace" });
    expect((await suites.listCases(workspaceId, suite.id)).cases.map((item) => item.key)).toEqual(["b"]);
  });

  it("an import into another workspace's suite is not found", async () => {
    const suite = await suites.createSuite(workspaceId, { name: "private" });
    expect((await rejection(importCases(otherWorkspaceId, suite.id, Readable.from(["{}"]), "jsonl"))).code).toBe(
      "not_found",
    );
  });
});

describe("export", () => {
  const tricky = [
    {
      key: "quotes",
      variables: { question: 'He said "hi",\nthen left', count: 3, expected: "a variable named expected" },
      expected: "He",
      tags: ["people", "a,b"],
      assertions: [{ type: "icontains", value: "he", weight: 2 }],
    },
    { key: "plain", variables: { question: "Capital of France?" }, expected: "Paris", tags: ["a,b"], assertions: [] },
    { key: "empty", variables: {}, tags: [], assertions: [] },
  ];

  it.each(["jsonl", "json", "csv"] as const)("round-trips through %s", async (format) => {
    const source = await suites.createSuite(workspaceId, { name: `round-trip-${format}` });
    await importCases(workspaceId, source.id, Readable.from([JSON.stringify(tricky)]), "json");
    const exported = await text(exportCases(source.id, format));
    const copy = await suites.createSuite(workspaceId, { name: `round-trip-${format}-copy` });
    await importCases(workspaceId, copy.id, Readable.from([exported]), format);
    const strip = (page: Awaited<ReturnType<typeof suites.listCases>>) =>
      page.cases.map(({ id: _id, ...rest }) => rest);
    const original = strip(await suites.listCases(workspaceId, source.id));
    const copied = strip(await suites.listCases(workspaceId, copy.id));
    if (format === "csv") {
      // CSV has only text: the number 3 comes back as "3", and every variable column is present in every row
      expect(copied[0]?.variables).toEqual({ ...tricky[0]?.variables, count: "3" });
      expect(copied[2]?.variables).toEqual({ question: "", count: "", expected: "" });
      expect(copied.map(({ variables: _variables, ...rest }) => rest)).toEqual(
        original.map(({ variables: _variables, ...rest }) => rest),
      );
    } else {
      expect(copied).toEqual(original);
    }
  });

  it("writes CSV a spreadsheet reads, with reserved variable names as vars. columns", async () => {
    const suite = await suites.createSuite(workspaceId, { name: "csv-shape" });
    await importCases(workspaceId, suite.id, Readable.from([JSON.stringify(tricky)]), "json");
    const csv = await text(exportCases(suite.id, "csv"));
    expect(csv.split("\n")[0]).toBe("key,count,vars.expected,question,expected,tags,assertions");
    expect(csv).toContain('quotes,3,a variable named expected,"He said ""hi"",\nthen left",He,"people|a,b"');
    expect(csv).toContain('plain,,,Capital of France?,Paris,"a,b|",');
  });

  it("an empty suite exports an empty array", async () => {
    const suite = await suites.createSuite(workspaceId, { name: "empty-export" });
    expect(JSON.parse(await text(exportCases(suite.id, "json")))).toEqual([]);
    expect(await text(exportCases(suite.id, "jsonl"))).toBe("");
  });
});
