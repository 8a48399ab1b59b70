import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelServer } from "../../lib/local-models/server.ts";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { KEYWORD_CLASSES, keywordLabel, keywordTexts } from "../support/keyword-texts.ts";

// Students in the workspace's Local models connection, as the playground, suites, run forms and releases see its
// models: student:<name> for every student, cascade:<name> once it has a teacher and a threshold; a run with a
// variant on student:<name> (through the connection, with the workspace's key) completes with the classes as outputs.

process.env.DATABASE_URL = await isolatedDatabase("student-models");
process.env.ASSAY_SECRET ??= "test-secret-for-student-models-0123";

const { db } = await import("../../lib/db.ts");
const runs = await import("../../lib/runs/service.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { waitForRun } = await import("../../lib/runs/wait.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { listConnections } = await import("../../lib/connections/service.ts");
const { createPrompt } = await import("../../lib/prompts/service.ts");
const { startModelServer } = await import("../../lib/local-models/server.ts");
const { studentSource } = await import("../../lib/distill/serve-student.ts");
const { syncStudentModels } = await import("../../lib/distill/student-models.ts");
const { workspaceOfModelKey } = await import("../../lib/local-models/workspace-key.ts");
const { loadMasterKey } = await import("../../lib/connections/crypto.ts");
const { trainStudent } = await import("../../lib/distill/train.ts");

let server: ModelServer;
let modelsDir: string;
let workspaceId: string;
let localId: string;
let worker: InstanceType<typeof RunWorker>;

beforeAll(async () => {
  modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-student-models-"));
  const masterKey = await loadMasterKey();
  server = await startModelServer({
    modelsDir,
    port: 0,
    students: studentSource(db, { modelsDir }),
    workspaceOfKey: async (apiKey) => workspaceOfModelKey(apiKey, masterKey),
  });
  workspaceId = (await db.workspace.create({ data: { name: "Students", slug: `students-${process.pid}-${Date.now()}` } })).id;
  localId = (await db.connection.create({ data: { workspaceId, name: "Local models", kind: "local", preset: "local", baseUrl: `${server.url}/v1`, concurrency: 4 } })).id;
  worker = new RunWorker({ log: (line) => console.log(`[worker] ${line}`) });
  await worker.start();
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await stopBoss();
  await server?.close();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.$disconnect();
  await rm(modelsDir, { recursive: true, force: true });
});

const localModels = async () => (await listConnections(workspaceId)).find((connection) => connection.id === localId)!.models.map((model) => model.name).sort();

describe("students in the Local models connection", () => {
  it("lists student:<name> when stored, cascade:<name> once it has a teacher and a threshold, and drops them when removed", async () => {
    const rows = keywordTexts(400, 3).map((input) => ({ input, output: keywordLabel(input) }));
    await trainStudent(db, workspaceId, "tickets", rows);
    expect(await localModels()).toEqual(["student:tickets"]);
    const teacher = await db.connection.create({ data: { workspaceId, name: "Teacher", kind: "openai_compatible", baseUrl: "http://127.0.0.1:9/v1" } });
    await db.student.update({ where: { workspaceId_name: { workspaceId, name: "tickets" } }, data: { teacherConnectionId: teacher.id, teacherModel: "gpt-x", cascadeThreshold: 0.9 } });
    expect(await syncStudentModels(db, workspaceId)).toEqual(["student:tickets", "cascade:tickets"]);
    expect(await localModels()).toEqual(["cascade:tickets", "student:tickets"]);
    const prices = (await listConnections(workspaceId)).find((connection) => connection.id === localId)!.models.find((model) => model.name === "student:tickets")!;
    expect([prices.inputPricePerM, prices.outputPricePerM]).toEqual([0, 0]);
    await db.student.update({ where: { workspaceId_name: { workspaceId, name: "tickets" } }, data: { cascadeThreshold: null } });
    await syncStudentModels(db, workspaceId);
    expect(await localModels()).toEqual(["student:tickets"]);
  });

  it("a run with a variant on student:<name> completes with the classes as outputs", async () => {
    const owner = await db.user.create({ data: { id: `u-${Date.now()}`, name: "Owner", email: `students-${Date.now()}@example.com` } });
    const prompt = await createPrompt(workspaceId, owner.id, { name: "triage", version: { messages: [{ role: "system", content: "Label the ticket." }, { role: "user", content: "{{ message }}" }] } });
    const inputs = keywordTexts(12, 31);
    const suite = await db.suite.create({ data: { workspaceId, name: "tickets", assertions: [] } });
    await db.case.createMany({
      data: inputs.map((message, index) => ({ suiteId: suite.id, position: index, key: `t${index}`, variables: { message }, expected: keywordLabel(message) })),
    });
    const { id } = await runs.createRun(workspaceId, null, { suiteId: suite.id, variants: [{ versionId: prompt.latest.id, connectionId: localId, model: "student:tickets" }] });
    expect(await waitForRun(id)).toMatchObject({ status: "completed", total: 12, done: 12, errors: 0 });
    const page = await runs.listResults(workspaceId, id, { limit: 20 });
    const outputs = page.rows.map((row) => row.cells[0]!.output);
    expect(outputs.every((output) => KEYWORD_CLASSES.includes(output!))).toBe(true);
    const right = page.rows.filter((row) => row.cells[0]!.output === keywordLabel(inputs[Number(row.key.slice(1))]!)).length;
    expect(right).toBeGreaterThanOrEqual(11);
  });
});
