import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import type { Member } from "../../lib/auth/session.ts";
import { rejection } from "../support/app-error.ts";

// Issue #9, limits: no input stalls or exhausts the server. Bodies, imports, workspace caps, maxTokens and CSV
// exports, through the same handlers and domain functions the routes call. A database of its own: the worker here
// must not take other files' runs.
process.env.DATABASE_URL = await isolatedDatabase("limits");
process.env.ASSAY_SECRET ??= "test-secret-for-limits-0123456789";

const { db } = await import("../../lib/db.ts");
const { AppError, httpStatusOf } = await import("../../lib/errors.ts");
const setupRoute = await import("../../app/api/setup/route.ts");
const suitesApi = await import("../../app/api/suites/_handlers/suites.ts");
const transferApi = await import("../../app/api/suites/_handlers/transfer.ts");
const { importCases } = await import("../../lib/suites/import-cases.ts");
const { exportCases } = await import("../../lib/suites/export-cases.ts");
const runs = await import("../../lib/runs/service.ts");
const { createRun } = await import("../../lib/runs/create-run.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { waitForRun } = await import("../../lib/runs/wait.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { createConnection } = await import("../../lib/connections/service.ts");
const { createPrompt } = await import("../../lib/prompts/service.ts");
const { startPlaygroundRun } = await import("../../lib/playground/run.ts");

let fake: FakeOpenAI;
let member: Member;
let workspaceId: string;
let connectionId: string;

const prompt = { messages: [{ role: "user" as const, content: "Say {{ text }}" }], examples: [], counterexamples: [], exampleMode: "chat" as const };


async function text(chunks: AsyncIterable<string>): Promise<string> {
  let all = "";
  for await (const chunk of chunks) all += chunk;
  return all;
}

async function suiteWith(name: string, count: number, text = (index: number) => `item ${index}`) {
  const suite = await db.suite.create({ data: { workspaceId, name } });
  await db.case.createMany({
    data: Array.from({ length: count }, (_, index) => ({ suiteId: suite.id, position: index, key: `k${index}`, variables: { text: text(index) } })),
  });
  return suite;
}

function jsonlCases(count: number): Readable {
  return Readable.from(
    (function* () {
      for (let line = 1; line <= count; line++) yield `${JSON.stringify({ key: `k${line}`, variables: { text: String(line) } })}\n`;
    })(),
  );
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ latencyMs: 30 });
  const stamp = `${process.pid}-${Date.now()}`;
  const workspace = await db.workspace.create({ data: { name: "Limits", slug: `limits-${stamp}` } });
  workspaceId = workspace.id;
  member = { user: { id: "user-1", name: "Ada", email: "ada@example.test" }, workspace: { id: workspace.id, name: workspace.name, slug: workspace.slug }, role: "owner" };
  connectionId = (
    await createConnection(workspaceId, {
      name: "fake",
      baseUrl: fake.url,
      concurrency: 50,
      models: [
        { name: "fake-echo", contextWindow: 8192 },
        { name: "fake-unknown-window" },
      ],
    })
  ).id;
});

afterAll(async () => {
  await stopBoss();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await fake?.close();
  await db.$disconnect();
});

describe("request bodies", () => {
  it("POST /api/setup with a 2 MB body is a 413 before anything is parsed", async () => {
    const body = JSON.stringify({ name: "x".repeat(2 * 1024 * 1024), email: "a@b.test", password: "12345678", workspaceName: "W" });
    const response = await setupRoute.POST(
      new Request("http://assay.test/api/setup", { method: "POST", body, headers: { "content-type": "application/json" } }),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: {
        code: "payload_too_large",
        subject: "input",
        message: "The request body is larger than 1 MB (ASSAY_MAX_BODY).",
        details: [{ message: "at most 1 MB" }],
      },
    });
  });

  it("a suite created with a chunked 2 MB body (no Content-Length) is a 413 and no suite is stored", async () => {
    const chunk = new TextEncoder().encode(`"${"y".repeat(64 * 1024)}",`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"name":"huge","description":['));
      },
      pull(controller) {
        if (sent++ >= 32) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const request = new Request("http://assay.test/api/suites", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    const error = await rejection(suitesApi.createSuiteHandler({ request, member, params: {} }));
    expect(httpStatusOf(error)).toBe(413);
    expect(error.message).toBe("The request body is larger than 1 MB (ASSAY_MAX_BODY).");
    expect(await db.suite.count({ where: { workspaceId, name: "huge" } })).toBe(0);
  });
});

describe("imports", () => {
  it("an import over the row cap is a 413 and stores nothing, though the first batches were written", async () => {
    const suite = await db.suite.create({ data: { workspaceId, name: "row-cap" } });
    // 1,000 rows make a batch: the cap is hit inside the transaction after one batch went in.
    const error = await rejection(importCases(workspaceId, suite.id, jsonlCases(1_600), "jsonl", {}, { maxRows: 1_500 }));
    expect(httpStatusOf(error)).toBe(413);
    expect(error.message).toBe("The file has more than 1,500 cases (ASSAY_MAX_IMPORT_ROWS): split it into several imports.");
    expect(await db.case.count({ where: { suiteId: suite.id } })).toBe(0);
  });

  it("an upload whose Content-Length is over 200 MB is refused before it is read", async () => {
    const suite = await db.suite.create({ data: { workspaceId, name: "byte-cap" } });
    const request = new Request(`http://assay.test/api/suites/${suite.id}/import?format=jsonl`, {
      method: "POST",
      body: '{"key":"a"}\n',
      headers: { "content-length": String(201 * 1024 * 1024) },
    });
    const error = await rejection(transferApi.importCasesHandler({ request, member, params: { id: suite.id } }));
    expect(httpStatusOf(error)).toBe(413);
    expect(error.message).toBe("The file is larger than 200 MB (ASSAY_MAX_IMPORT_BYTES).");
    expect(await db.case.count({ where: { suiteId: suite.id } })).toBe(0);
  });

  it("a CSV record over the record cap is a 400 naming its row, and nothing is stored", async () => {
    const suite = await db.suite.create({ data: { workspaceId, name: "record-cap" } });
    const csv = Readable.from(["key,text\n", "a,fine\n", `b,"${"z".repeat(3000)}\n`]);
    const error = await rejection(importCases(workspaceId, suite.id, csv, "csv", {}, { maxRecordBytes: 1000 }));
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toBe("Row 3: the record is longer than 1,000 characters (a quote left open?)");
    expect(await db.case.count({ where: { suiteId: suite.id } })).toBe(0);
  });

  it("a suite exported as CSV neutralizes formula cells and imports back into the same cases", async () => {
    const source = await db.suite.create({ data: { workspaceId, name: "formulas" } });
    await db.case.createMany({
      data: [
        { suiteId: source.id, position: 0, key: "k0", variables: { text: "=HYPERLINK(\"http://evil.test\",\"click\")" }, expected: "-1" },
        { suiteId: source.id, position: 1, key: "@k1", variables: { text: "'=quoted" }, expected: "plain" },
      ],
    });
    const csv = await text(exportCases(source.id, "csv"));
    expect(csv).toBe(
      'key,text,expected,tags,assertions\nk0,"\'=HYPERLINK(""http://evil.test"",""click"")",\'-1,,\n\'@k1,\'\'=quoted,plain,,\n',
    );
    const copy = await db.suite.create({ data: { workspaceId, name: "formulas-copy" } });
    await importCases(workspaceId, copy.id, Readable.from([csv]), "csv");
    const cases = await db.case.findMany({ where: { suiteId: copy.id }, orderBy: { position: "asc" }, select: { key: true, variables: true, expected: true } });
    expect(cases).toEqual([
      { key: "k0", variables: { text: "=HYPERLINK(\"http://evil.test\",\"click\")" }, expected: "-1" },
      { key: "@k1", variables: { text: "'=quoted" }, expected: "plain" },
    ]);
  });
});

describe("runs", () => {
  it("maxTokens above the model's context window is a 400 naming the field; unknown windows are not checked", async () => {
    const suite = await suiteWith("max-tokens", 2);
    const error = await rejection(
      createRun(workspaceId, null, { suiteId: suite.id, variants: [{ prompt, connectionId, model: "fake-echo", params: { maxTokens: 10_000 } }] }),
    );
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toBe("variants[0].params.maxTokens: at most 8,192 for fake-echo's context window");
    expect(await db.run.count({ where: { suiteId: suite.id } })).toBe(0);
    const judged = await rejection(
      createRun(workspaceId, null, {
        suiteId: suite.id,
        variants: [{ prompt, connectionId, model: "fake-unknown-window", params: { maxTokens: 10_000 } }],
        judge: { connectionId, model: "fake-echo", params: { maxTokens: 9_000 } },
      }),
    );
    expect(judged.message).toBe("judge.params.maxTokens: at most 8,192 for fake-echo's context window");
  });

  it("the playground refuses maxTokens above the model's context window before any call, naming the target", async () => {
    const owner = await db.user.create({ data: { id: `u-limits-${process.pid}`, name: "Owner", email: `limits-${process.pid}@example.test` } });
    const created = await createPrompt(workspaceId, owner.id, { name: "limits-playground", version: { messages: prompt.messages } });
    const requestsBefore = fake.requests.length;
    const error = await rejection(
      startPlaygroundRun(
        { ...member, user: { id: owner.id, name: owner.name, email: owner.email } },
        {
          promptId: created.id,
          versionId: null,
          draft: { ...prompt, connectionId: null, model: null, params: {} },
          variables: { text: "hi" },
          targets: [
            { key: "a", connectionId, model: "fake-unknown-window", params: { maxTokens: 50_000 } },
            { key: "b", connectionId, model: "fake-echo", params: { maxTokens: 50_000 } },
          ],
        },
        new AbortController().signal,
      ),
    );
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toBe("targets.1.params.maxTokens: at most 8,192 for fake-echo's context window");
    expect(fake.requests.length).toBe(requestsBefore);
  });

  it("a run over the workspace's cap on active runs is refused with the cap in the message", async () => {
    const suite = await suiteWith("run-cap", 1);
    const variants = [{ prompt, connectionId, model: "fake-echo" }];
    // No worker works the private queues: these runs stay queued.
    const caps = { maxActiveRuns: 2 };
    await createRun(workspaceId, null, { suiteId: suite.id, variants }, { privateQueue: true, caps });
    await createRun(workspaceId, null, { suiteId: suite.id, variants }, { privateQueue: true, caps });
    const error = await rejection(createRun(workspaceId, null, { suiteId: suite.id, variants }, { privateQueue: true, caps }));
    expect(httpStatusOf(error)).toBe(429);
    expect(error.message).toBe(
      "This workspace already has 2 runs queued or running, the most it may have at once (ASSAY_MAX_ACTIVE_RUNS=2): wait for one to finish or cancel one.",
    );
    expect(await db.run.count({ where: { suiteId: suite.id } })).toBe(2);
    // Cancelled runs leave room again.
    await db.run.updateMany({ where: { suiteId: suite.id }, data: { status: "cancelled" } });
    await createRun(workspaceId, null, { suiteId: suite.id, variants }, { privateQueue: true, caps });
    await db.run.updateMany({ where: { suiteId: suite.id }, data: { status: "cancelled" } });
  });

  it("calls in flight for one workspace stay under its cap across runs, and CSV exports neutralize formulas", async () => {
    let inFlight = 0;
    let peak = 0;
    const countingFetch: typeof fetch = async (input, init) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      let counted = true;
      const done = () => {
        if (counted) inFlight--;
        counted = false;
      };
      try {
        const response = await fetch(input, init);
        if (!response.body) {
          done();
          return response;
        }
        const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: done }));
        return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      } catch (error) {
        done();
        throw error;
      }
    };
    fake.setBehavior({ reply: "=cmd|' /C calc'!A0" });
    const worker = new RunWorker({ fetch: countingFetch, maxCellsInFlightPerWorkspace: 3 });
    await worker.start();
    try {
      const suite = await suiteWith("in-flight", 15);
      const variants = [{ prompt, connectionId, model: "fake-echo" }];
      const first = await createRun(workspaceId, null, { suiteId: suite.id, variants, concurrency: 10 });
      const second = await createRun(workspaceId, null, { suiteId: suite.id, variants, concurrency: 10 });
      expect((await waitForRun(first.id)).status).toBe("completed");
      expect((await waitForRun(second.id)).status).toBe("completed");
      expect(peak).toBe(3);
      const csv = await text(runs.exportResults(workspaceId, first.id, "csv"));
      const [header, row] = csv.split("\n");
      expect(header).toBe(
        "variant,caseKey,repeat,variables,expected,output,pass,score,reason,finishReason,latencyMs,ttftMs,inputTokens,outputTokens,cost,cached,attempts,retries",
      );
      expect(row?.split(",").slice(0, 5)).toEqual(["draft · fake-echo", "k0", "0", '"{""text"":""item 0""}"', ""]);
      expect(row).toContain(",'=cmd|' /C calc'!A0,");
    } finally {
      fake.resetBehavior();
      await worker.stop();
    }
  });
});
