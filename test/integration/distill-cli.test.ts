import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { keywordLabel, keywordTexts } from "../support/keyword-texts.ts";
import { runAssay, type CliOutcome } from "../support/cli.ts";

// `assay distill --name N --from rows.jsonl` stores a classifier student; `assay serve-model` (its own process, with
// DATABASE_URL as `assay start` runs it) then serves it as student:<name> to the workspace's key.

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";
const { db } = await import("../../lib/db.ts");
const { localModelKeyFor } = await import("../../lib/local-models/workspace-key.ts");
const root = path.resolve(import.meta.dirname, "../..");
const slug = `distill-cli-${randomUUID().slice(0, 8)}`;
let workspaceId: string;
let folder: string;
let child: ChildProcess | undefined;

function assay(args: string[]): Promise<CliOutcome> {
  return runAssay(args);
}

beforeAll(async () => {
  workspaceId = (await db.workspace.create({ data: { name: "Distill CLI", slug } })).id;
  folder = await mkdtemp(path.join(os.tmpdir(), "assay-distill-cli-"));
  const lines = keywordTexts(400, 31).map((input) => JSON.stringify({ input, output: keywordLabel(input) }));
  await writeFile(path.join(folder, "rows.jsonl"), `${lines.join("\n")}\n`);
  // A teacher that mislabels every 5th ticket as "other": no student agrees with it on all held-out rows.
  const noisy = keywordTexts(400, 31).map((input, index) => JSON.stringify({ input, output: index % 5 === 0 && keywordLabel(input) !== "other" ? "other" : keywordLabel(input) }));
  await writeFile(path.join(folder, "noisy.jsonl"), `${noisy.join("\n")}\n`);
  await writeFile(path.join(folder, "broken.jsonl"), `${lines[0]}\n{"input": "no output"}\n`);
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await rm(folder, { recursive: true, force: true });
});

describe("assay distill", () => {
  it("refuses a bad row naming the file and line, and stores nothing", async () => {
    const file = path.join(folder, "broken.jsonl");
    const result = await assay(["distill", "--name", "tickets", "--from", file, "--workspace", slug]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`assay distill: ${file} line 2: needs "input" and "output" strings`);
    expect(await db.student.count({ where: { workspaceId } })).toBe(0);
  });

  it("does not store a student below --min-agreement (exit 1)", async () => {
    const result = await assay(["distill", "--name", "tickets", "--from", path.join(folder, "noisy.jsonl"), "--workspace", slug, "--min-agreement", "0.95"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/below --min-agreement 0.95: the student was not stored/);
    expect(await db.student.count({ where: { workspaceId } })).toBe(0);
  });

  it("trains, prints the report, stores the student, and serve-model serves it", async () => {
    const result = await assay(["distill", "--name", "tickets", "--from", path.join(folder, "rows.jsonl"), "--workspace", slug]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Student tickets: classifier on a label task, 320 training rows, 80 held out");
    expect(result.stdout).toMatch(/Cohen's κ \d\.\d{3} \(95 % interval/);
    expect(result.stdout).toContain("serves it as student:tickets");
    expect(await db.student.count({ where: { workspaceId } })).toBe(1);

    child = spawn(process.execPath, [path.join(root, "bin/assay.js"), "serve-model", "--port", "0", "--models-dir", folder], {
      cwd: root,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr!.on("data", (chunk) => (output += chunk));
    const baseURL = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve-model did not start:\n${output}`)), 60_000);
      child!.stdout!.on("data", (chunk) => {
        output += chunk;
        const match = /on (http:\/\/[^\s]+\/v1)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const apiKey = (await localModelKeyFor(workspaceId, "http://127.0.0.1/v1")) as string;
    const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain("student:tickets");
    const chat = await client.chat.completions.create({ model: "student:tickets", messages: [{ role: "user", content: "my password is locked" }] });
    expect(chat.choices[0]!.message.content).toBe("account");
  }, 90_000);
});
