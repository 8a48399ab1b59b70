import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { rejection } from "../support/app-error.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { keywordLabel, keywordTexts } from "../support/keyword-texts.ts";

// Distillations end to end (issue #12): the teacher (the fake server labelling tickets by keyword) runs as an
// ordinary run on a dataset made of a suite, the prompt's stored calls and uploaded rows; the assay-distill job
// collects the rows (the teacher's failures listed and left out), trains with a loss curve, stores the student and
// its file, and measures it through the model server. Cancel and bad input leave nothing registered.

const modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-distill-pipeline-"));
process.env.ASSAY_MODELS_DIR = modelsDir;
process.env.DATABASE_URL = await isolatedDatabase("distill-pipeline");
process.env.ASSAY_SECRET ??= "test-secret-for-distill-pipeline-0123";

const { db } = await import("../../lib/db.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { createConnection } = await import("../../lib/connections/service.ts");
const { createPrompt } = await import("../../lib/prompts/service.ts");
const { DistillWorker } = await import("../../lib/distill/jobs.ts");
const { advanceDistillation } = await import("../../lib/distill/pipeline.ts");
const service = await import("../../lib/distill/service.ts");
const { studentSource } = await import("../../lib/distill/serve-student.ts");
const { startModelServer } = await import("../../lib/local-models/server.ts");
const { workspaceOfModelKey } = await import("../../lib/local-models/workspace-key.ts");
const { loadMasterKey } = await import("../../lib/connections/crypto.ts");

const POISON = "poison";
let teacher: FakeOpenAI;
let echo: FakeOpenAI;
let server: Awaited<ReturnType<typeof startModelServer>>;
let workspaceId: string;
let userId: string;
let connectionId: string;
let echoConnectionId: string;
let promptId: string;
let suiteId: string;
let runWorker: InstanceType<typeof RunWorker>;
let distillWorker: InstanceType<typeof DistillWorker>;

async function waitFor(id: string, states: string[], timeoutMs = 60_000) {
  const started = Date.now();
  for (;;) {
    const view = await service.getDistillation(workspaceId, id);
    if (states.includes(view.state)) return view;
    if (Date.now() - started > timeoutMs) throw new Error(`distillation ${id} still ${view.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function counts() {
  return { distillations: await db.distillation.count(), suites: await db.suite.count(), students: await db.student.count(), runs: await db.run.count() };
}

beforeAll(async () => {
  teacher = await startFakeOpenAI({
    latencyMs: 1,
    reply: (request) => {
      // The teacher fails on some inputs: a 500 every time (retried, then recorded as the cell's error).
      if (request.lastUserMessage.includes(POISON)) throw new Error("teacher broke on this input");
      return keywordLabel(request.lastUserMessage);
    },
  });
  echo = await startFakeOpenAI({ latencyMs: 1 });
  const stamp = `${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Distill pipeline", slug: `distill-pipeline-${stamp}` } })).id;
  userId = (await db.user.create({ data: { id: `distill-${stamp}`, name: "Ada", email: `distill-${stamp}@example.com` } })).id;
  connectionId = (await createConnection(workspaceId, { name: "teacher", baseUrl: teacher.url, apiKey: "sk-test-0123456789abcdef", concurrency: 20, models: [{ name: "fake-echo", inputPricePerM: 1, outputPricePerM: 2 }] })).id;
  echoConnectionId = (await createConnection(workspaceId, { name: "echo", baseUrl: echo.url, apiKey: "sk-test-0123456789abcdef", concurrency: 20, models: [{ name: "fake-echo" }] })).id;
  server = await startModelServer({
    modelsDir,
    port: 0,
    students: studentSource(db),
    workspaceOfKey: async (apiKey) => workspaceOfModelKey(apiKey, await loadMasterKey()),
  });
  await db.connection.create({ data: { workspaceId, name: "Local models", kind: "local", preset: "local", baseUrl: server.url.endsWith("/v1") ? server.url : `${server.url}/v1`, concurrency: 4 } });
  const prompt = await createPrompt(workspaceId, userId, {
    name: "tickets",
    version: { messages: [{ role: "system", content: "Label the ticket." }, { role: "user", content: "Ticket: {{ text }}" }], params: { temperature: 0, maxTokens: 5 } },
  });
  promptId = prompt.id;
  suiteId = (await db.suite.create({ data: { workspaceId, name: "Tickets" } })).id;
  const texts = keywordTexts(300, 5);
  await db.case.createMany({
    data: texts.map((text, index) => ({
      suiteId,
      position: index,
      key: `t-${index}`,
      variables: { text },
      // every other case knows its right answer
      expected: index % 2 === 0 ? keywordLabel(text) : null,
    })),
  });
  // 60 stored calls of the prompt, of which 10 repeat an earlier one's variables: 50 distinct.
  const callTexts = keywordTexts(50, 77).map((text) => `${text} via chat`);
  await db.call.createMany({
    data: [...callTexts, ...callTexts.slice(0, 10)].map((text, index) => ({
      workspaceId,
      groupId: `g-${index}`,
      promptId,
      model: "fake-echo",
      params: {},
      variables: { text },
      messages: [],
      createdAt: new Date(Date.now() - index * 1000),
    })),
  });
  runWorker = new RunWorker({ log: () => {} });
  await runWorker.start();
  distillWorker = new DistillWorker(() => {});
  await distillWorker.start();
}, 60_000);

afterAll(async () => {
  await distillWorker?.stop();
  await runWorker?.stop();
  await stopBoss();
  await server?.close();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.user.deleteMany({ where: { id: userId } });
  await teacher?.close();
  await echo?.close();
  await db.$disconnect();
  await rm(modelsDir, { recursive: true, force: true });
});

const uploaded = () =>
  [
    ...keywordTexts(37, 99).map((text) => JSON.stringify({ variables: { text: `${text} uploaded` } })),
    ...["one", "two", "three"].map((word) => JSON.stringify({ key: `bad-${word}`, variables: { text: `${POISON} ${word}` } })),
  ].join("\n");

describe("a distillation", () => {
  it("builds its dataset from a suite, stored calls and uploaded rows, trains with a loss curve, stores and measures the student", async () => {
    const { id } = await service.createDistillation(workspaceId, userId, {
      name: "tickets",
      teacher: { promptId, connectionId, model: "fake-echo" },
      sources: { suiteId, calls: 1000, rows: { format: "jsonl", text: uploaded() } },
    });
    const started = await service.getDistillation(workspaceId, id);
    expect(started.state).toBe("collecting");
    expect(started.suite?.name).toBe("distill · tickets");
    expect(started.config.sources).toEqual({ suiteId, calls: 1000, uploadedRows: 40 });
    // 300 suite cases + 50 distinct calls + 40 uploaded rows
    expect(await db.case.count({ where: { suiteId: started.suite!.id } })).toBe(390);

    const view = await waitFor(id, ["done", "failed", "cancelled"]);
    expect(view.error).toBeNull();
    expect(view.state).toBe("done");
    expect(view.teacherRun).toMatchObject({ status: "completed", total: 390, done: 390, failed: 3 });
    expect(view.failedRows.map((row) => row.caseKey).sort()).toEqual(["bad-one", "bad-three", "bad-two"]);
    expect(view.failedRows[0]!.input).toMatch(/^Ticket: poison /);
    // ten epochs (the classifier's default), one point each
    expect(view.loss.map((point) => point.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(view.loss.at(-1)!.loss).toBeLessThan(view.loss[0]!.loss);

    const report = view.report!;
    expect(report.task).toBe("label");
    expect(report.rows.total).toBe(390);
    expect(report.rows.failed).toBe(3);
    expect(report.rows.train + report.rows.heldOut).toBe(387);
    expect(report.exactMatch).toBeGreaterThanOrEqual(0.95);
    expect(report.curve.length).toBeGreaterThan(2);
    expect(report.curve[0]).toMatchObject({ coverage: 0, agreement: 1 });
    expect(report.cascade).not.toBeNull();
    expect(report.cascade!.agreement).toBeGreaterThanOrEqual(0.98);
    expect(report.cascade!.teacherCalls).toBe(Math.round((1 - report.cascade!.coverage) * report.rows.heldOut));
    expect(report.heldOutCaseIds).toHaveLength(report.rows.heldOut);
    // accuracy against `expected`: only suite cases have one, every other of them
    expect(report.accuracy!.cases).toBeGreaterThan(0);
    expect(report.accuracy!.teacher).toBe(1);
    // through the model server: student:tickets answered every latency call (50 held-out inputs)
    expect(report.latency.student.calls).toBe(50);
    // cascade:tickets through the model server: the student answers above the threshold, the teacher (the fake) below
    expect(report.latency.cascade?.calls).toBe(50);
    expect(report.latency.teacher.calls).toBe(387);
    expect(report.costPer1000.student).toBe(0);
    expect(report.costPer1000.teacher).toBeGreaterThan(0);

    const student = await db.student.findUniqueOrThrow({ where: { distillationId: id } });
    expect(student).toMatchObject({ name: "tickets", kind: "classifier", teacherConnectionId: connectionId, teacherModel: "fake-echo" });
    expect(student.cascadeThreshold).toBe(report.cascade!.threshold);
    expect(student.sizeBytes).toBe(report.sizeBytes);
    expect(existsSync(path.join(modelsDir, "students", "tickets.student.json"))).toBe(true);
    expect(view.student?.models).toEqual(["student:tickets", "cascade:tickets"]);

    // the feed: started, then done with the agreement
    const events = await db.activityEvent.findMany({ where: { workspaceId, kind: { startsWith: "distillation." }, data: { path: ["distillationId"], equals: id } }, orderBy: { createdAt: "asc" } });
    expect(events.map((event) => event.kind)).toEqual(["distillation.started", "distillation.done"]);
    expect((events[1]!.data as { agreement: number }).agreement).toBe(report.exactMatch);

    const list = await service.listDistillations(workspaceId);
    expect(list[0]!.id).toBe(id);
    expect(list[0]!.loss).toEqual([view.loss.at(-1)]);
    expect(list[0]!.report?.exactMatch).toBe(report.exactMatch);

    // the threshold: for a target of 1, and as a number
    const strict = await service.setCascadeThreshold(workspaceId, id, { targetAgreement: 1 });
    expect(strict.report!.cascade!.agreement).toBe(1);
    const loose = await service.setCascadeThreshold(workspaceId, id, { threshold: 0 });
    expect(loose.report!.cascade!.coverage).toBe(1);
    expect(loose.report!.cascade!.teacherCalls).toBe(0);
    expect(loose.student!.cascadeThreshold).toBe(0);
    // the Local models connection lists both names
    const listed = await db.connectionModel.findMany({ where: { connection: { workspaceId, kind: "local" } }, select: { name: true } });
    expect(listed.map((model) => model.name).sort()).toEqual(["cascade:tickets", "student:tickets"]);

    // Compare: a run of teacher vs student on the held-out cases
    const compare = await service.compareDistillation(workspaceId, id, userId, { against: "student" });
    const compareRun = await db.run.findUniqueOrThrow({ where: { id: compare.runId }, include: { variants: { orderBy: { position: "asc" } } } });
    expect(compareRun.totalCells).toBe(2 * report.rows.heldOut);
    expect(compareRun.variants.map((variant) => variant.model)).toEqual(["fake-echo", "student:tickets"]);
    expect(compare.comparePath).toBe(`/compare?variants=${compareRun.variants.map((variant) => variant.id).join(",")}`);

    // a taken name is refused, nothing written
    const before = await counts();
    const taken = await rejection(service.createDistillation(workspaceId, userId, { name: "tickets", teacher: { promptId, connectionId, model: "fake-echo" }, sources: { suiteId } }));
    expect(taken.code).toBe("conflict");
    expect(taken.message).toMatch(/"tickets" already exists/);
    expect(await counts()).toEqual(before);
  }, 90_000);

  it("stops at the next epoch when cancelled during training, and registers nothing", async () => {
    const { id } = await service.createDistillation(workspaceId, userId, {
      name: "cancelled",
      teacher: { promptId, connectionId, model: "fake-echo" },
      sources: { suiteId },
    }, { noJob: true });
    const row = await db.distillation.findUniqueOrThrow({ where: { id } });
    expect(row.suiteId).toBe(suiteId);
    for (;;) {
      const run = await db.run.findUniqueOrThrow({ where: { id: row.teacherRunId! } });
      if (run.status === "completed") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The rows collected (what the job's first step does), then a cancel while training.
    await db.distillation.update({ where: { id }, data: { state: "training" } });
    const cancelling = await service.cancelDistillation(workspaceId, id, userId);
    expect(cancelling.cancelRequested).toBe(true);
    await advanceDistillation(id, { log: () => {} });
    const view = await service.getDistillation(workspaceId, id);
    expect(view.state).toBe("cancelled");
    expect(view.loss.map((point) => point.epoch)).toEqual([1]);
    expect(await db.student.count({ where: { name: "cancelled" } })).toBe(0);
    expect(existsSync(path.join(modelsDir, "students", "cancelled.student.json"))).toBe(false);
    await service.deleteDistillation(workspaceId, id);
    expect(await db.distillation.count({ where: { id } })).toBe(0);
  }, 60_000);

  it("cancelled while collecting: the teacher run is cancelled with it, and the job then does nothing", async () => {
    const { id } = await service.createDistillation(workspaceId, userId, { name: "early", teacher: { promptId, connectionId, model: "fake-echo" }, sources: { suiteId } }, { noJob: true });
    const view = await service.cancelDistillation(workspaceId, id, userId);
    expect(view.state).toBe("cancelled");
    const run = await db.run.findUniqueOrThrow({ where: { id: view.teacherRun!.id } });
    // cancelled, unless it finished first (300 fast cells)
    expect(["cancelled", "completed"]).toContain(run.status);
    await advanceDistillation(id, { log: () => {} });
    expect((await service.getDistillation(workspaceId, id)).state).toBe("cancelled");
    expect(await db.student.count({ where: { name: "early" } })).toBe(0);
    const again = await rejection(service.cancelDistillation(workspaceId, id, userId));
    expect(again.code).toBe("conflict");
  });

  it("refuses bad input with the field named, writing nothing", async () => {
    const before = await counts();
    const teacherSpec = { promptId, connectionId, model: "fake-echo" };
    const cases: [object, RegExp][] = [
      [{ name: "x1", teacher: teacherSpec, sources: { suiteId: "nope" } }, /^sources\.suiteId: no such suite/],
      [{ name: "x2", teacher: { ...teacherSpec, versionId: "nope" }, sources: { suiteId } }, /^teacher\.versionId: no such version/],
      [{ name: "x3", teacher: { ...teacherSpec, label: "production" }, sources: { suiteId } }, /^teacher\.label: prompt "tickets" has no label "production"/],
      [{ name: "x4", teacher: { ...teacherSpec, connectionId: "nope" }, sources: { suiteId } }, /^teacher\.connectionId: no such connection/],
      [{ name: "x5", teacher: teacherSpec, sources: {} }, /^sources: give at least one source/],
      [{ name: "Bad Name", teacher: teacherSpec, sources: { suiteId } }, /must be 1–64 lower-case/],
      [{ name: "x6", teacher: teacherSpec, sources: { rows: { format: "jsonl", text: '{"variables":{"text":"a"}}\n{"variables": 3}' } } }, /Row 2: variables/],
      [{ name: "x7", teacher: teacherSpec, sources: { rows: { format: "jsonl", text: '{"variables":{"other":"a"}}' } } }, /row 1: no variable "text"/],
      [{ name: "x8", studentKind: "lm", teacher: teacherSpec, sources: { suiteId }, lm: { baseModel: "nope" } }, /^lm\.baseModel: no local model named "nope"/],
    ];
    for (const [input, message] of cases) {
      const error = await rejection(service.createDistillation(workspaceId, userId, input as never));
      expect(error.code).toBe("bad_request");
      expect(error.message).toMatch(message);
    }
    expect(await counts()).toEqual(before);
  });

  it("fails with the reason when the teacher's outputs cannot make a classifier: too few examples of a class, free text", async () => {
    const small = (await db.suite.create({ data: { workspaceId, name: "Few bugs" } })).id;
    const texts = [...Array.from({ length: 12 }, (_, index) => `refund please ${index}`), "it crashed", "app crashes"];
    await db.case.createMany({ data: texts.map((text, index) => ({ suiteId: small, position: index, key: `f-${index}`, variables: { text } })) });
    const few = await service.createDistillation(workspaceId, userId, { name: "few", teacher: { promptId, connectionId, model: "fake-echo" }, sources: { suiteId: small } });
    const free = await service.createDistillation(workspaceId, userId, { name: "free", teacher: { promptId, connectionId: echoConnectionId, model: "fake-echo" }, sources: { suiteId } });
    const fewView = await waitFor(few.id, ["done", "failed", "cancelled"]);
    expect(fewView.state).toBe("failed");
    expect(fewView.error).toMatch(/Too few examples per class: "bug" \(2\)/);
    const failed = await db.activityEvent.findFirstOrThrow({ where: { workspaceId, kind: "distillation.failed", data: { path: ["distillationId"], equals: few.id } } });
    expect((failed.data as { error: string }).error).toMatch(/^Too few examples per class/);
    const freeView = await waitFor(free.id, ["done", "failed", "cancelled"]);
    expect(freeView.state).toBe("failed");
    expect(freeView.error).toMatch(/free text \(\d+ distinct outputs over 300 rows\)/);
    expect(await db.student.count({ where: { name: { in: ["few", "free"] } } })).toBe(0);
  }, 60_000);

  it("an lm student whose fine-tuning fails ends failed with the reason, registering nothing", async () => {
    await db.localModel.create({ data: { workspaceId, name: "tiny-base", path: path.join(modelsDir, "missing-base.gguf"), sizeBytes: 0n } });
    const { id } = await service.createDistillation(workspaceId, userId, {
      name: "writer",
      studentKind: "lm",
      teacher: { promptId, connectionId: echoConnectionId, model: "fake-echo" },
      sources: { suiteId },
      lm: { baseModel: "tiny-base", epochs: 1, learningRate: 0.001 },
    });
    const view = await waitFor(id, ["done", "failed", "cancelled"]);
    expect(view.state).toBe("failed");
    // the placeholder's message until d-lm's fine-tuning is merged; then the base file's problem
    expect(view.error).toMatch(/not built yet|missing-base\.gguf/);
    expect(await db.student.count({ where: { name: "writer" } })).toBe(0);
    expect(existsSync(path.join(modelsDir, "students", "writer.gguf"))).toBe(false);
  }, 60_000);
});
