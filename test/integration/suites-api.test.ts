import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Member } from "../../lib/auth/session.ts";
import type { RouteContext } from "../../lib/http/with-workspace.ts";
import { rejection } from "../support/app-error.ts";

process.env.DATABASE_URL = inject("databaseUrl");

// The suite API's handlers, called as the routes call them: a Request, the signed-in member and the route params.
const { db } = await import("../../lib/db.ts");
const { AppError, errorBody } = await import("../../lib/errors.ts");
const suitesApi = await import("../../app/api/suites/_handlers/suites.ts");
const casesApi = await import("../../app/api/suites/_handlers/cases.ts");
const transferApi = await import("../../app/api/suites/_handlers/transfer.ts");

let member: Member;
let stranger: Member;

beforeAll(async () => {
  const stamp = `${process.pid}-${Date.now()}`;
  const workspace = await db.workspace.create({ data: { name: "Suites API", slug: `suites-api-${stamp}` } });
  const other = await db.workspace.create({ data: { name: "Elsewhere", slug: `elsewhere-${stamp}` } });
  const user = { id: "user-1", name: "Ada", email: "ada@example.test" };
  member = { user, workspace: { id: workspace.id, name: workspace.name, slug: workspace.slug }, role: "owner" };
  stranger = { user, workspace: { id: other.id, name: other.name, slug: other.slug }, role: "owner" };
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: { in: [member.workspace.id, stranger.workspace.id] } } });
  await db.$disconnect();
});

function context<Params>(
  path: string,
  params: Params,
  init: { method?: string; json?: unknown; body?: BodyInit | ReadableStream<Uint8Array>; headers?: Record<string, string> } = {},
  who: Member = member,
): RouteContext<Params> {
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  const request = new Request(`http://assay.test${path}`, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    body,
    headers: { ...(init.json !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
    // A stream body must say it is sent half-duplex (Node's fetch rule).
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return { request, member: who, params };
}

async function createSuite(name: string, assertions: unknown[] = []): Promise<{ id: string; name: string }> {
  const response = await suitesApi.createSuiteHandler(context("/api/suites", {}, { json: { name, assertions } }));
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; name: string };
}

async function caseCount(suiteId: string): Promise<number> {
  return db.case.count({ where: { suiteId } });
}

describe("suites", () => {
  it("rejects invalid default assertions with the path of each problem and creates nothing", async () => {
    const error = await rejection(
      suitesApi.createSuiteHandler(
        context("/api/suites", {}, {
          json: {
            name: "bad-assertions",
            assertions: [
              { type: "contains", value: "ok" },
              { type: "regex", value: "([a-z" },
              { type: "json-schema", value: { type: "objekt" } },
              { type: "containz", value: "x" },
            ],
          },
        }),
      ),
    );
    expect(error.code).toBe("bad_request");
    const paths = error.details.map((detail) => detail.path);
    expect(paths).toEqual(expect.arrayContaining(["assertions[1].value", "assertions[2].value", "assertions[3].type"]));
    expect(error.message).toMatch(/^assertions\[1\]\.value: /);
    expect(error.details.find((detail) => detail.path === "assertions[3].type")?.message).toMatch(/did you mean "contains"/);
    expect(await db.suite.count({ where: { workspaceId: member.workspace.id, name: "bad-assertions" } })).toBe(0);
  });

  it("creates, lists, renames and deletes a suite; a taken name is a conflict on the name field", async () => {
    const suite = await createSuite("crud", [{ type: "not-is-refusal" }, { type: "similarity", value: "{{answer}}", threshold: 0.7, weight: 2 }]);
    const listed = await suitesApi.listSuitesHandler(context("/api/suites", {}));
    expect(listed.map((item) => item.name)).toContain("crud");
    const fetched = await suitesApi.getSuiteHandler(context(`/api/suites/${suite.id}`, { id: suite.id }));
    expect(fetched.assertions).toEqual([
      { type: "not-is-refusal", weight: 1 },
      { type: "similarity", value: "{{answer}}", threshold: 0.7, weight: 2 },
    ]);

    await createSuite("crud-other");
    const conflict = await rejection(
      suitesApi.updateSuiteHandler(context(`/api/suites/${suite.id}`, { id: suite.id }, { method: "PATCH", json: { name: "crud-other" } })),
    );
    expect(conflict.code).toBe("conflict");
    expect(conflict.details[0]?.path).toBe("name");

    const renamed = await suitesApi.updateSuiteHandler(
      context(`/api/suites/${suite.id}`, { id: suite.id }, { method: "PATCH", json: { name: "crud renamed", description: "d" } }),
    );
    expect(renamed).toMatchObject({ name: "crud renamed", description: "d" });
    // Assertions untouched by a rename.
    expect(renamed.assertions).toHaveLength(2);

    const badUpdate = await rejection(
      suitesApi.updateSuiteHandler(
        context(`/api/suites/${suite.id}`, { id: suite.id }, { method: "PATCH", json: { assertions: [{ type: "latency" }] } }),
      ),
    );
    expect(badUpdate.details[0]?.path).toBe("assertions[0].threshold");
    expect((await suitesApi.getSuiteHandler(context("", { id: suite.id }))).assertions).toHaveLength(2);

    const reasserted = await suitesApi.updateSuiteHandler(
      context(`/api/suites/${suite.id}`, { id: suite.id }, { method: "PATCH", json: { assertions: [{ type: "is-json" }] } }),
    );
    expect(reasserted).toMatchObject({ name: "crud renamed", description: "d", assertions: [{ type: "is-json", weight: 1 }] });

    await suitesApi.deleteSuiteHandler(context(`/api/suites/${suite.id}`, { id: suite.id }, { method: "DELETE" }));
    expect((await rejection(suitesApi.getSuiteHandler(context("", { id: suite.id })))).code).toBe("not_found");
  });

  it("keeps one workspace's suites out of another's reach", async () => {
    const suite = await createSuite("private");
    const asStranger = (path: string) => context(path, { id: suite.id }, {}, stranger);
    expect((await rejection(suitesApi.getSuiteHandler(asStranger(`/api/suites/${suite.id}`)))).code).toBe("not_found");
    expect((await rejection(casesApi.listCasesHandler(asStranger(`/api/suites/${suite.id}/cases`)))).code).toBe("not_found");
    expect((await rejection(transferApi.exportCasesHandler(asStranger(`/api/suites/${suite.id}/export?format=csv`)))).code).toBe("not_found");
    const listed = await suitesApi.listSuitesHandler(context("/api/suites", {}, {}, stranger));
    expect(listed.map((item) => item.id)).not.toContain(suite.id);
  });

  it("answers a body that is not JSON with a 400 that says so", async () => {
    const error = await rejection(
      suitesApi.createSuiteHandler(context("/api/suites", {}, { body: "{name:", headers: { "content-type": "application/json" } })),
    );
    expect(error.code).toBe("bad_request");
    expect(error.message).toMatch(/not valid JSON/);
  });
});

describe("cases", () => {
  it("adds, pages, edits and deletes cases", async () => {
    const suite = await createSuite("cases");
    const params = { id: suite.id };
    for (let index = 1; index <= 7; index++) {
      const response = await casesApi.addCaseHandler(
        context(`/api/suites/${suite.id}/cases`, params, {
          json: { variables: { city: `City ${index}`, population: index * 1000 }, expected: `answer ${index}`, tags: index % 2 ? ["odd"] : ["even"] },
        }),
      );
      expect(response.status).toBe(201);
    }
    const page = await casesApi.listCasesHandler(context(`/api/suites/${suite.id}/cases?offset=2&limit=3`, params));
    expect(page.total).toBe(7);
    expect(page.cases.map((item) => item.key)).toEqual(["case-3", "case-4", "case-5"]);
    expect(page.cases[0]?.variables).toEqual({ city: "City 3", population: 3000 });

    const odd = await casesApi.listCasesHandler(context(`/api/suites/${suite.id}/cases?tag=odd`, params));
    expect(odd.total).toBe(4);

    const badQuery = await casesApi.listCasesHandler(context(`/api/suites/${suite.id}/cases?limit=5000`, params)).catch((error) => error);
    expect(errorBody(badQuery).error.message).toMatch(/limit is at most 1,000/);

    const target = page.cases[0];
    if (!target) throw new Error("no case");
    const caseParams = { id: suite.id, caseId: target.id };
    const edited = await casesApi.updateCaseHandler(
      context(`/api/suites/${suite.id}/cases/${target.id}`, caseParams, {
        method: "PATCH",
        json: { key: "paris", variables: { city: "Paris" }, expected: "Paris", tags: ["fr"], assertions: [{ type: "icontains", value: "paris" }] },
      }),
    );
    expect(edited).toMatchObject({ id: target.id, key: "paris", position: 2, expected: "Paris", tags: ["fr"] });

    const badAssertion = await rejection(
      casesApi.updateCaseHandler(
        context("", caseParams, { method: "PATCH", json: { variables: {}, assertions: [{ type: "word-count", min: 5, max: 2 }] } }),
      ),
    );
    expect(badAssertion.details[0]).toMatchObject({ path: "assertions[0].max" });

    const duplicate = await rejection(
      casesApi.addCaseHandler(context("", params, { json: { key: "paris", variables: {} } })),
    );
    expect(duplicate.code).toBe("conflict");
    expect(duplicate.details[0]?.path).toBe("key");

    await casesApi.deleteCaseHandler(context("", caseParams, { method: "DELETE" }));
    expect(await caseCount(suite.id)).toBe(6);
    expect((await rejection(casesApi.deleteCaseHandler(context("", caseParams, { method: "DELETE" })))).code).toBe("not_found");
  });

  it("adds a case rather than overwriting one when the body carries an id", async () => {
    const suite = await createSuite("no-id-smuggling");
    const first = (await (await casesApi.addCaseHandler(context("", { id: suite.id }, { json: { key: "a", variables: { q: "1" } } }))).json()) as { id: string };
    await casesApi.addCaseHandler(context("", { id: suite.id }, { json: { id: first.id, key: "b", variables: { q: "2" } } }));
    const page = await casesApi.listCasesHandler(context(`/api/suites/${suite.id}/cases`, { id: suite.id }));
    expect(page.cases.map((item) => item.key)).toEqual(["a", "b"]);
  });
});

const goodCsv = [
  "key,question,expected,tags,assertions",
  'capital-fr,"What is the capital of France?",Paris,geo|europe,"[{""type"":""icontains"",""value"":""paris""}]"',
  'sum,"What is 2 + 3?",5,math,',
  ',"Say hi",hi,,',
].join("\n");

describe("import and export", () => {
  it("reports the row of a malformed row and imports nothing; then imports the good file", async () => {
    const suite = await createSuite("import");
    const params = { id: suite.id };
    const badCsv = [
      "key,question,expected,assertions",
      "a,one,1,",
      "b,two,2,",
      'c,three,3,"[{""type"":""regex"",""value"":""(""}]"',
      "d,four,4,",
    ].join("\n");
    const error = await rejection(
      transferApi.importCasesHandler(context(`/api/suites/${suite.id}/import?filename=cases.csv`, params, { body: badCsv })),
    );
    expect(error.code).toBe("bad_request");
    // The header is row 1, so the third data row is row 4, as a spreadsheet numbers it.
    expect(error.message).toMatch(/^Row 4: assertions\[0\]\.value: /);
    expect(error.details[0]).toMatchObject({ row: 4, path: "assertions[0].value" });
    expect(await caseCount(suite.id)).toBe(0);

    const summary = await transferApi.importCasesHandler(
      context(`/api/suites/${suite.id}/import?filename=cases.csv`, params, { body: goodCsv, headers: { "content-type": "text/csv" } }),
    );
    expect(summary).toEqual({ imported: 3, replaced: 0, mode: "append" });
    const page = await casesApi.listCasesHandler(context(`/api/suites/${suite.id}/cases`, params));
    expect(page.cases.map((item) => item.key)).toEqual(["capital-fr", "sum", "case-3"]);
    expect(page.cases[0]).toMatchObject({ tags: ["geo", "europe"], assertions: [{ type: "icontains", value: "paris", weight: 1 }] });

    // Appending the same keys again collides on row 2 and changes nothing.
    const again = await rejection(transferApi.importCasesHandler(context("/import?format=csv", params, { body: goodCsv })));
    expect(again.message).toMatch(/^Row 2: key: "capital-fr" is already the key/);
    expect(await caseCount(suite.id)).toBe(3);

    const replaced = await transferApi.importCasesHandler(
      context("/import?format=jsonl&mode=replace", params, { body: '{"key":"only","variables":{"question":"q"}}\n' }),
    );
    expect(replaced).toEqual({ imported: 1, replaced: 3, mode: "replace" });
  });

  it("needs a format it can recognise", async () => {
    const suite = await createSuite("import-format");
    const error = await rejection(
      transferApi.importCasesHandler(context("/import?filename=cases.xlsx", { id: suite.id }, { body: "a,b\n1,2\n" })),
    );
    expect(error.details[0]?.path).toBe("format");
    expect(transferApi.importFormat({ filename: "Cases.JSONL" }, null)).toBe("jsonl");
    expect(transferApi.importFormat({}, "application/json; charset=utf-8")).toBe("json");
    expect(transferApi.importFormat({ format: "csv", filename: "x.json" }, null)).toBe("csv");
  });

  it("streams a large upload into the suite and reports a bad row near its end without importing any", async () => {
    const suite = await createSuite("import-large");
    const params = { id: suite.id };
    const rows = 20_000;
    const stream = (badLine?: number) => {
      let line = 0;
      const encoder = new TextEncoder();
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (line >= rows) {
            controller.close();
            return;
          }
          let chunk = "";
          for (let end = Math.min(rows, line + 500); line < end; ) {
            line++;
            chunk += line === badLine ? '{"key": "broken", "variables": \n' : `${JSON.stringify({ key: `k${line}`, variables: { n: line } })}\n`;
          }
          controller.enqueue(encoder.encode(chunk));
        },
      });
    };
    const error = await rejection(
      transferApi.importCasesHandler(context("/import?format=jsonl", params, { body: stream(rows - 3) })),
    );
    expect(error.message).toMatch(new RegExp(`^Row ${rows - 3}: not valid JSON`));
    expect(await caseCount(suite.id)).toBe(0);

    const summary = await transferApi.importCasesHandler(context("/import?format=jsonl", params, { body: stream() }));
    expect(summary.imported).toBe(rows);
    expect(await caseCount(suite.id)).toBe(rows);
  });

  it("exports every format as a named download that imports back into the same cases", async () => {
    const suite = await createSuite("Export: Café/tests");
    const params = { id: suite.id };
    await transferApi.importCasesHandler(context("/import?format=csv", params, { body: goodCsv }));

    const csv = await transferApi.exportCasesHandler(context(`/export?format=csv`, params));
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const disposition = csv.headers.get("content-disposition") ?? "";
    expect(disposition).toContain('filename="Export- Caf_-tests.csv"');
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent("Export- Café-tests.csv")}`);
    const csvText = await csv.text();
    expect(csvText.split("\n")[0]).toBe("key,question,expected,tags,assertions");
    expect(csvText).toContain("capital-fr,What is the capital of France?,Paris,geo|europe,");

    for (const format of ["csv", "jsonl", "json"] as const) {
      const response = await transferApi.exportCasesHandler(context(`/export?format=${format}`, params));
      const copy = await createSuite(`export-copy-${format}`);
      await transferApi.importCasesHandler(context(`/import?format=${format}`, { id: copy.id }, { body: await response.text() }));
      const [original, copied] = await Promise.all([
        casesApi.listCasesHandler(context("/cases", params)),
        casesApi.listCasesHandler(context("/cases", { id: copy.id })),
      ]);
      const strip = (page: typeof original) => page.cases.map(({ key, variables, expected, tags, assertions }) => ({ key, variables, expected, tags, assertions }));
      expect(strip(copied), format).toEqual(strip(original));
    }

    const badFormat = await transferApi.exportCasesHandler(context("/export?format=xml", params)).catch((error) => error);
    expect(errorBody(badFormat).error.message).toMatch(/format must be "csv", "jsonl" or "json"/);
  });
});
