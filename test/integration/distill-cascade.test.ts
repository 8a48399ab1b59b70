import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI, { APIError, NotFoundError } from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { coverageAgreementCurve, pickThreshold } from "../../lib/distill/cascade-curve.ts";
import type { ClassifierStudent } from "../../lib/distill/classifier.ts";
import { confidenceOf, studentSource } from "../../lib/distill/serve-student.ts";
import { startModelServer, type ModelServer } from "../../lib/local-models/server.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { keywordLabel, keywordTexts } from "../support/keyword-texts.ts";
import { testLlama, writeTestModels, type TestModels } from "../support/local-models.ts";

// cascade:<name> on the model server: a classifier student trained on few rows of a keyword-labelling teacher (the
// fake server), its threshold picked on held-out rows for a target agreement; the student answers its confident
// rows and the teacher (called through the workspace's connection) the rest. Also: students served from the models
// folder's students/ files, and lm students routed to the model pool.

process.env.ASSAY_SECRET ??= "integration-test-master-secret";
process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const { distill, storeStudent } = await import("../../lib/distill/train.ts");

const KEY = "cascade-workspace-key";
const TARGET_AGREEMENT = 0.98;
let teacher: FakeOpenAI;
let server: ModelServer;
let models: TestModels;
let workspaceId: string;
let classifier: ClassifierStudent;
let threshold: number;
const heldOut = keywordTexts(200, 77);

const client = () => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEY, maxRetries: 0 });
const completions = () => teacher.requests.filter((request) => request.path === "/v1/chat/completions").length;

beforeAll(async () => {
  teacher = await startFakeOpenAI({ reply: (request) => keywordLabel(request.lastUserMessage) });
  models = await writeTestModels();
  workspaceId = (await db.workspace.create({ data: { name: "Cascade", slug: `cascade-${randomUUID().slice(0, 8)}` } })).id;
  const connection = await db.connection.create({ data: { workspaceId, name: "Teacher", kind: "openai_compatible", baseUrl: teacher.url } });
  // Few training rows, so that the student is unsure of some held-out rows.
  const rows = keywordTexts(150, 5).map((input) => ({ input, output: keywordLabel(input) }));
  const trained = distill(rows);
  classifier = trained.classifier;
  const curve = coverageAgreementCurve(heldOut.map((input) => {
    const predictions = classifier.predict(input);
    return { confidence: confidenceOf(predictions), agrees: predictions[0]!.value === keywordLabel(input) };
  }));
  threshold = pickThreshold(curve, TARGET_AGREEMENT)!.threshold;
  const stored = await storeStudent(db, workspaceId, "tickets", trained);
  await db.student.update({ where: { id: stored.id }, data: { teacherConnectionId: connection.id, teacherModel: "fake-echo", cascadeThreshold: threshold } });
  // A cascade whose teacher always fails, and whose student never answers (threshold above any probability).
  const broken = await storeStudent(db, workspaceId, "broken", trained);
  await db.student.update({ where: { id: broken.id }, data: { teacherConnectionId: connection.id, teacherModel: "fake-server-error", cascadeThreshold: 1.5 } });
  // A student with no teacher: served as student: only.
  await storeStudent(db, workspaceId, "alone", trained);
  server = await startModelServer({
    modelsDir: models.dir,
    port: 0,
    contextSize: 256,
    llama: await testLlama(),
    students: studentSource(db, { modelsDir: models.dir }),
    workspaceOfKey: async (apiKey) => (apiKey === KEY ? workspaceId : null),
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await teacher?.close();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await models?.remove();
});

describe("cascade:<name>", () => {
  it("lists cascades next to students, only for students with a teacher and a threshold", async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids.filter((id) => id.includes(":")).sort()).toEqual(["cascade:broken", "cascade:tickets", "student:alone", "student:broken", "student:tickets"]);
    await expect(client().chat.completions.create({ model: "cascade:alone", messages: [{ role: "user", content: "refund" }] })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("at the picked threshold agrees with the teacher on ≥ the target and calls the teacher only for the unsure rows", async () => {
    // From the seeded data: 150 rows (seed 5, 120 trained on), 200 held-out rows (seed 77); the curve's pick for 98 %.
    const unsure = heldOut.filter((input) => confidenceOf(classifier.predict(input)) < threshold).length;
    expect(unsure).toBe(39);
    const before = completions();
    let agreeing = 0;
    const answeredBy = { student: 0, teacher: 0 };
    for (const input of heldOut) {
      const { data, response } = await client()
        .chat.completions.create({ model: "cascade:tickets", messages: [{ role: "system", content: "Classify the ticket." }, { role: "user", content: input }], temperature: 0 })
        .withResponse();
      const who = response.headers.get("x-assay-cascade") as "student" | "teacher";
      answeredBy[who]++;
      const confidence = Number(response.headers.get("x-assay-cascade-confidence"));
      expect(who === "student").toBe(confidence >= threshold);
      if (data.choices[0]!.message.content === keywordLabel(input)) agreeing++;
    }
    expect(completions() - before).toBe(39);
    expect(answeredBy).toEqual({ student: 161, teacher: 39 });
    expect(agreeing / heldOut.length).toBeGreaterThanOrEqual(TARGET_AGREEMENT);
    // The teacher got the request's messages and parameters.
    const last = teacher.requests.at(-1)!;
    expect((last.body as { messages: unknown[] }).messages).toHaveLength(2);
    expect((last.body as { temperature?: number }).temperature).toBe(0);
  });

  it("answers with the teacher's usage when the teacher answered, and the student's logprobs when it did", async () => {
    const confident = heldOut.find((input) => confidenceOf(classifier.predict(input)) >= threshold)!;
    const unsure = heldOut.find((input) => confidenceOf(classifier.predict(input)) < threshold)!;
    const byStudent = await client().chat.completions.create({ model: "cascade:tickets", messages: [{ role: "user", content: confident }], logprobs: true, top_logprobs: 2 });
    expect(byStudent.choices[0]!.logprobs!.content![0]!.token).toBe(byStudent.choices[0]!.message.content);
    expect(byStudent.usage).toBeUndefined();
    expect((byStudent as unknown as { cascade: { answeredBy: string } }).cascade.answeredBy).toBe("student");
    const byTeacher = await client().chat.completions.create({ model: "cascade:tickets", messages: [{ role: "user", content: unsure }] });
    expect(byTeacher.choices[0]!.message.content).toBe(keywordLabel(unsure));
    expect(byTeacher.usage!.completion_tokens).toBeGreaterThan(0);
    expect((byTeacher as unknown as { cascade: { answeredBy: string } }).cascade.answeredBy).toBe("teacher");
    const text = await client().completions.create({ model: "cascade:tickets", prompt: unsure });
    expect(text.choices[0]!.text).toBe(keywordLabel(unsure));
  });

  it("streams both ways: the student's answer, and the teacher's stream passed through", async () => {
    const confident = heldOut.find((input) => confidenceOf(classifier.predict(input)) >= threshold)!;
    const unsure = heldOut.find((input) => confidenceOf(classifier.predict(input)) < threshold)!;
    for (const [input, who] of [[confident, "student"], [unsure, "teacher"]] as const) {
      const { data: stream, response } = await client()
        .chat.completions.create({ model: "cascade:tickets", messages: [{ role: "user", content: input }], stream: true, stream_options: { include_usage: true } })
        .withResponse();
      expect(response.headers.get("x-assay-cascade")).toBe(who);
      let text = "";
      let usage = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        usage = chunk.usage ?? usage;
      }
      expect(text).toBe(who === "student" ? String(classifier.predict(input)[0]!.value) : keywordLabel(input));
      if (who === "teacher") expect(usage!.completion_tokens).toBeGreaterThan(0);
    }
  });

  it("a teacher's error reaches the client as an OpenAI error, streamed or not", async () => {
    const before = completions();
    const error = await client().chat.completions.create({ model: "cascade:broken", messages: [{ role: "user", content: "my invoice" }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(500);
    const streamed = await client()
      .chat.completions.create({ model: "cascade:broken", messages: [{ role: "user", content: "my invoice" }], stream: true })
      .then(async (stream) => {
        for await (const chunk of stream) void chunk;
        return null;
      })
      .catch((caught: unknown) => caught);
    expect(streamed).toBeInstanceOf(APIError);
    expect((streamed as APIError).status).toBe(500);
    // Called once each: the cascade does not retry (the client does, if it wants).
    expect(completions() - before).toBe(2);
  });
});

describe("students from the models folder", () => {
  it("serves students/<name>.student.json to every caller; the Student row wins over a file of the same name", async () => {
    const folder = path.join(models.dir, "students");
    await mkdir(folder, { recursive: true });
    const trained = distill(keywordTexts(300, 9).map((input) => ({ input, output: keywordLabel(input) === "billing" ? "money" : "other" })));
    const file = (name: string) => ({ format: "assay-student-1", name, task: trained.task.kind, classes: trained.classifier.specs, artifact: trained.classifier.serialize() });
    await writeFile(path.join(folder, "money.student.json"), JSON.stringify(file("money")));
    await writeFile(path.join(folder, "tickets.student.json"), JSON.stringify(file("tickets")));
    await writeFile(path.join(folder, "wrong.student.json"), JSON.stringify({ ...file("other-name") }));
    const keyless = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of keyless.models.list()) ids.push(model.id);
    expect(ids.filter((id) => id.startsWith("student:")).sort()).toEqual(["student:money", "student:tickets"]);
    const answer = await keyless.chat.completions.create({ model: "student:money", messages: [{ role: "user", content: "I want a refund of the invoice" }] });
    expect(answer.choices[0]!.message.content).toBe("money");
    // With the workspace's key, student:tickets is the Student row (classes of the four-way teacher), not the file.
    const row = await client().chat.completions.create({ model: "student:tickets", messages: [{ role: "user", content: "the app crashed again" }], logprobs: true, top_logprobs: 4 });
    expect(row.choices[0]!.logprobs!.content![0]!.top_logprobs).toHaveLength(4);
    const fileOne = await keyless.chat.completions.create({ model: "student:tickets", messages: [{ role: "user", content: "the app crashed again" }], logprobs: true, top_logprobs: 4 });
    expect(fileOne.choices[0]!.logprobs!.content![0]!.top_logprobs).toHaveLength(2);
    await expect(keyless.chat.completions.create({ model: "student:wrong", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("routes an lm student (Student.kind lm, a GGUF under students/) to the model pool: real llama.cpp generation", async () => {
    const { copyFile } = await import("node:fs/promises");
    await mkdir(path.join(models.dir, "students"), { recursive: true });
    await copyFile(models.ngramPath, path.join(models.dir, "students", "writer.gguf"));
    await db.student.create({ data: { workspaceId, name: "writer", kind: "lm", task: "text", classes: [], file: "students/writer.gguf", metrics: {} } });
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toContain("student:writer");
    expect(ids.filter((id) => id === "student:writer")).toHaveLength(1);
    const viaStudent = await client().chat.completions.create({ model: "student:writer", messages: [{ role: "user", content: "The model" }], temperature: 0, max_tokens: 12 });
    const viaFile = await client().chat.completions.create({ model: models.ngramId, messages: [{ role: "user", content: "The model" }], temperature: 0, max_tokens: 12 });
    expect(viaStudent.choices[0]!.message.content).toBe(viaFile.choices[0]!.message.content);
    expect(viaStudent.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(viaStudent.usage!.completion_tokens).toBeGreaterThan(0);
    // Another workspace (here: no key) does not see it.
    const keyless = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
    await expect(keyless.chat.completions.create({ model: "student:writer", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(NotFoundError);
  });
});
