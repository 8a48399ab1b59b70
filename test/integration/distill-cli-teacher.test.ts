import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runAssay, type CliOutcome } from "../support/cli.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { keywordLabel, keywordTexts } from "../support/keyword-texts.ts";

// `assay distill <suite.yaml> --name N` and `assay distill --prompt … --target … --suite …`: the teacher (the fake
// server labelling tickets by keyword) runs in the CLI's process on the suite's cases, the student is trained,
// reported, stored with its file in the models folder — or refused with exit 1 (below --min-agreement) or 2 (bad input).

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";
const { db } = await import("../../lib/db.ts");
const { createConnection } = await import("../../lib/connections/service.ts");
const { createPrompt } = await import("../../lib/prompts/service.ts");

let fake: FakeOpenAI;
let dir: string;
let modelsDir: string;
let slug: string;
let workspaceId: string;
let userId: string | undefined;

function assay(args: string[]): Promise<CliOutcome> {
  return runAssay(args, { ...process.env, FAKE_KEY: "sk-fake-0123456789", ASSAY_MODELS_DIR: modelsDir });
}

function suiteYaml(name: string, model: string): string {
  return `name: ${name}
prompts:
  - label: tickets
    messages:
      - role: user
        content: "Ticket: {{ text }}"
targets:
  - baseURL: ${fake.url}
    apiKeyEnv: FAKE_KEY
    model: ${model}
cases: cases.jsonl
`;
}

beforeAll(async () => {
  fake = await startFakeOpenAI({
    latencyMs: 1,
    reply: (request) => {
      const text = request.lastUserMessage;
      if (request.model === "fake-free") return `Echo: ${text}`;
      // a teacher no student can follow: every ticket whose length is a multiple of 3 is "other"
      if (request.model === "fake-noisy" && text.length % 3 === 0) return "other";
      return keywordLabel(text);
    },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), "assay-distill-teacher-"));
  modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-distill-models-"));
  slug = `distill-teacher-${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Distill teacher", slug } })).id;
  const texts = keywordTexts(200, 13);
  await writeFile(path.join(dir, "cases.jsonl"), `${texts.map((text, index) => JSON.stringify({ key: `t-${index}`, variables: { text } })).join("\n")}\n`);
  await writeFile(path.join(dir, "tickets.yaml"), suiteYaml("tickets-suite", "fake-echo"));
  await writeFile(path.join(dir, "noisy.yaml"), suiteYaml("noisy-suite", "fake-noisy"));
  await writeFile(path.join(dir, "free.yaml"), suiteYaml("free-suite", "fake-free"));
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  if (userId) await db.user.deleteMany({ where: { id: userId } });
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(modelsDir, { recursive: true, force: true });
  await db.$disconnect();
});

describe("assay distill with a teacher", () => {
  it("runs the suite file's first prompt × target as the teacher, prints the report and stores the student (exit 0)", async () => {
    const result = await assay(["distill", path.join(dir, "tickets.yaml"), "--name", "tickets", "--workspace", slug, "--min-agreement", "0.9"]);
    expect(result.stderr).not.toMatch(/Error|assay distill:/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/the teacher runs on 200 cases/);
    expect(result.stdout).toMatch(/Student tickets: classifier on a label task, 161 training rows, 39 held out, 0 failed teacher rows left out/);
    expect(result.stdout).toMatch(/Agreement with the teacher on held-out rows \(exact match\): (9\d|100)\.\d%/);
    expect(result.stdout).toMatch(/Cascade at 98\.0% target agreement: threshold/);
    expect(result.stdout).toMatch(/Size on disk: /);
    expect(result.stdout).toContain("serves it as student:tickets and cascade:tickets");
    const student = await db.student.findUniqueOrThrow({ where: { workspaceId_name: { workspaceId, name: "tickets" } } });
    expect(student.distillationId).not.toBeNull();
    expect(existsSync(path.join(modelsDir, "students", "tickets.student.json"))).toBe(true);
    const distillation = await db.distillation.findUniqueOrThrow({ where: { id: student.distillationId! } });
    expect(distillation.state).toBe("done");
  }, 90_000);

  it("does not store a student below --min-agreement (exit 1)", async () => {
    const result = await assay(["distill", path.join(dir, "noisy.yaml"), "--name", "noisy", "--workspace", slug, "--min-agreement", "0.99"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/below --min-agreement 0.99: the student was not stored/);
    expect(await db.student.count({ where: { workspaceId, name: "noisy" } })).toBe(0);
    expect(existsSync(path.join(modelsDir, "students", "noisy.student.json"))).toBe(false);
  }, 90_000);

  it("refuses a free-text teacher for a classifier (exit 2), storing no student", async () => {
    const result = await assay(["distill", path.join(dir, "free.yaml"), "--name", "free", "--workspace", slug]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/assay distill: The teacher's outputs are free text \(\d+ distinct outputs over 200 rows\)/);
    expect(await db.student.count({ where: { workspaceId, name: "free" } })).toBe(0);
  }, 90_000);

  it("takes a stored prompt@label × connection/model × suite (exit 0), and refuses unknown ones (exit 2)", async () => {
    const user = await db.user.create({ data: { id: `distill-teacher-${Date.now()}`, name: "Ada", email: `distill-teacher-${Date.now()}@example.com` } });
    userId = user.id;
    await createConnection(workspaceId, { name: "Fake", baseUrl: fake.url, apiKey: "sk-test-0123456789abcdef", concurrency: 20, models: [{ name: "fake-echo" }] });
    const prompt = await createPrompt(workspaceId, user.id, { name: "triage", version: { messages: [{ role: "user", content: "Ticket: {{ text }}" }] } });
    await db.promptLabel.create({ data: { promptId: prompt.id, name: "production", versionId: prompt.latest.id } });
    const unknown = await assay(["distill", "--prompt", "triage@production", "--target", "Fake/fake-echo", "--suite", "nope", "--name", "stored", "--workspace", slug]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('assay distill: --suite: no suite named "nope"');
    const result = await assay(["distill", "--prompt", "triage@production", "--target", "Fake/fake-echo", "--suite", "tickets-suite", "--name", "stored", "--workspace", slug]);
    expect(result.stderr).not.toMatch(/Error|assay distill:/);
    expect(result.code).toBe(0);
    const distillation = await db.distillation.findUniqueOrThrow({ where: { workspaceId_name: { workspaceId, name: "stored" } } });
    expect(distillation).toMatchObject({ state: "done", label: "production", versionId: prompt.latest.id });
  }, 90_000);
});
