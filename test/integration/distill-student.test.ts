import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI, { NotFoundError } from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { studentSource } from "../../lib/distill/serve-student.ts";
import { limitedCall, type LimitedTarget } from "../../lib/llm/limited-call.ts";
import { startModelServer, type ModelServer } from "../../lib/local-models/server.ts";
import { rejection } from "../support/app-error.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { KEYWORD_CLASSES, keywordLabel, keywordTexts } from "../support/keyword-texts.ts";

// A classifier student distilled from a teacher (the fake server, labelling support tickets by keyword), stored in
// the workspace and served by the model server as student:<name> over the OpenAI API.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const { trainStudent } = await import("../../lib/distill/train.ts");

const KEY = "workspace-key-for-tests";
let teacher: FakeOpenAI;
let server: ModelServer;
let modelsDir: string;
let workspaceId: string;
let rows: { input: string; output: string }[];

const teacherTarget = (): LimitedTarget => ({
  target: { baseURL: teacher.url, apiKey: null, model: "fake-echo" },
  connectionId: null,
  limitKey: teacher.url,
  concurrency: 8,
  rpm: null,
  tpm: null,
});

beforeAll(async () => {
  teacher = await startFakeOpenAI({ reply: (request) => keywordLabel(request.lastUserMessage) });
  workspaceId = (await db.workspace.create({ data: { name: "Distill", slug: `distill-${randomUUID().slice(0, 8)}` } })).id;
  modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-students-"));
  // The teacher's outputs, collected on the one call path.
  const inputs = keywordTexts(600, 21);
  const outputs = await Promise.all(
    inputs.map(async (input) => {
      const { result } = await limitedCall(teacherTarget(), [{ role: "user", content: input }], { temperature: 0 }, { run: null }, {
        maxRetries: 0,
        signal: new AbortController().signal,
      });
      if (result.error) throw new Error(`teacher failed: ${result.error.message}`);
      return result.output;
    }),
  );
  rows = inputs.map((input, index) => ({ input, output: outputs[index]! }));
  server = await startModelServer({
    modelsDir,
    port: 0,
    students: studentSource(db),
    workspaceOfKey: async (apiKey) => (apiKey === KEY ? workspaceId : null),
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await teacher?.close();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await rm(modelsDir, { recursive: true, force: true });
});

describe("classifier student", () => {
  it("agrees with the teacher on ≥ 95 % of held-out rows and is stored", async () => {
    expect(teacher.requests.filter((request) => request.path === "/v1/chat/completions")).toHaveLength(600);
    expect(new Set(rows.map((row) => row.output))).toEqual(new Set(KEYWORD_CLASSES));
    const student = await trainStudent(db, workspaceId, "tickets", rows);
    expect(student.task).toBe("label");
    expect(student.metrics.heldOutRows).toBe(120);
    expect(student.metrics.trainRows).toBe(480);
    expect(student.metrics.exactMatch).toBeGreaterThanOrEqual(0.95);
    expect(student.metrics.heads[0]!.classes).toEqual(KEYWORD_CLASSES);
    const confusion = student.metrics.heads[0]!.confusion;
    expect(confusion.flat().reduce((sum, count) => sum + count, 0)).toBe(120);
    const stored = await db.student.findUniqueOrThrow({ where: { workspaceId_name: { workspaceId, name: "tickets" } } });
    expect(stored.kind).toBe("classifier");
    expect(stored.classes).toEqual([{ field: null, values: KEYWORD_CLASSES }]);
  });

  it("is served over HTTP: the openai SDK gets the class and its logprobs", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["student:tickets"]);

    const chat = await client.chat.completions.create({
      model: "student:tickets",
      messages: [{ role: "system", content: "Classify the ticket." }, { role: "user", content: "hello my invoice was charged twice please help" }],
      logprobs: true,
      top_logprobs: 4,
    });
    expect(chat.choices[0]!.message.content).toBe("billing");
    const entry = chat.choices[0]!.logprobs!.content![0]!;
    expect(entry.token).toBe("billing");
    expect(entry.top_logprobs.map((top) => top.token).sort()).toEqual(KEYWORD_CLASSES);
    expect(entry.top_logprobs[0]!.logprob).toBe(entry.logprob);
    expect(entry.top_logprobs.reduce((sum, top) => sum + Math.exp(top.logprob), 0)).toBeCloseTo(1, 5);
    expect(Math.exp(entry.logprob)).toBeGreaterThan(0.5);

    const completion = await client.completions.create({ model: "student:tickets", prompt: "the app crashed again since yesterday", logprobs: 2 });
    expect(completion.choices[0]!.text).toBe("bug");
    expect(completion.choices[0]!.logprobs!.tokens).toEqual(["bug"]);
    expect(Object.keys(completion.choices[0]!.logprobs!.top_logprobs![0]!)).toHaveLength(2);
  });

  it("answers the streaming call path the Local models connection uses", async () => {
    const target: LimitedTarget = {
      target: { baseURL: `${server.url}/v1`, apiKey: KEY, model: "student:tickets" },
      connectionId: null,
      limitKey: server.url,
      concurrency: null,
      rpm: null,
      tpm: null,
    };
    const { result } = await limitedCall(target, [{ role: "user", content: "I forgot my password and my login is locked" }], {}, { run: null }, {
      maxRetries: 0,
      signal: new AbortController().signal,
    });
    expect(result.error).toBeNull();
    expect(result.output).toBe("account");
    expect(result.finishReason).toBe("stop");
  });

  it("serves a fields student: a JSON answer and one logprobs entry per field", async () => {
    const fieldRows = rows.map((row) => ({ input: row.input, output: JSON.stringify({ team: row.output === "bug" ? "engineering" : "support", money: row.output === "billing" }) }));
    const student = await trainStudent(db, workspaceId, "routing", fieldRows);
    expect(student.task).toBe("fields");
    expect(student.classes).toEqual([
      { field: "money", values: [false, true] },
      { field: "team", values: ["engineering", "support"] },
    ]);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const chat = await client.chat.completions.create({
      model: "student:routing",
      messages: [{ role: "user", content: "a refund please, I was charged twice" }],
      logprobs: true,
      top_logprobs: 2,
    });
    expect(JSON.parse(chat.choices[0]!.message.content!)).toEqual({ money: true, team: "support" });
    expect(chat.choices[0]!.logprobs!.content!.map((entry) => entry.token)).toEqual(["true", "support"]);
  });

  it("serves a workspace's students only with its key", async () => {
    const keyless = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of keyless.models.list()) ids.push(model.id);
    expect(ids).toEqual([]);
    await expect(keyless.chat.completions.create({ model: "student:tickets", messages: [{ role: "user", content: "refund" }] })).rejects.toBeInstanceOf(NotFoundError);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEY, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: "student:nobody", messages: [{ role: "user", content: "refund" }] })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("keeps listing (no students, a logged reason) when the database cannot be reached", async () => {
    const { createDb } = await import("../../lib/db.ts");
    const unreachable = createDb("postgresql://nobody@127.0.0.1:1/none");
    const lines: string[] = [];
    try {
      const source = studentSource(unreachable, (line) => lines.push(line));
      expect(await source.list(workspaceId)).toEqual([]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[serve-model\] Cannot read students \(.+\); serving those last known\.$/);
      await expect(source.find("tickets", workspaceId)).rejects.toThrow();
    } finally {
      await unreachable.$disconnect();
    }
  });

  it("refuses bad input with a clear error and writes nothing", async () => {
    const taken = await rejection(trainStudent(db, workspaceId, "tickets", rows));
    expect(taken.code).toBe("conflict");
    expect(taken.message).toBe('A student named "tickets" already exists in this workspace');

    const few = [...rows.filter((row) => row.output !== "account"), ...rows.filter((row) => row.output === "account").slice(0, 4)];
    const tooFew = await rejection(trainStudent(db, workspaceId, "few", few));
    expect(tooFew.message).toMatch(/^Too few examples per class: "account" \(4\);/);

    const freeText = rows.map((row, index) => ({ input: row.input, output: `Dear customer, ticket ${index} is noted.` }));
    const refused = await rejection(trainStudent(db, workspaceId, "prose", freeText));
    expect(refused.message).toMatch(/free text \(600 distinct outputs over 600 rows\)/);

    const badName = await rejection(trainStudent(db, workspaceId, "Bad Name", rows));
    expect(badName.message).toMatch(/Student name "Bad Name" must be/);
    expect(await db.student.count({ where: { workspaceId } })).toBe(2);
  });
});
