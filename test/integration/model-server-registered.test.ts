import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI, { NotFoundError } from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureDemoModels, NGRAM_DEMO_MODEL } from "../../lib/local-models/demo-models.ts";
import { writeRandomModel } from "../../lib/local-models/random-model.ts";

// `assay serve-model` as `assay start` runs it: its own process, DATABASE_URL in its environment. A GGUF registered
// on the Models page (a LocalModel row) is served next to the models folder's files, only to requests with its
// workspace's key, and stops being served once removed, without a restart.

process.env.DATABASE_URL = inject("databaseUrl");
// The server process derives workspace keys from the same master key as this one.
process.env.ASSAY_SECRET ??= "integration-test-master-secret";
const { db } = await import("../../lib/db.ts");
const { localModelKeyFor } = await import("../../lib/local-models/workspace-key.ts");
/** The workspace key as the app sends it to this machine's model server. */
const localModelKey = async (id: string) => (await localModelKeyFor(id, "http://127.0.0.1/v1")) as string;

const root = path.resolve(import.meta.dirname, "../..");
let child: ChildProcess;
let output = "";
let baseURL: string;
let modelsDir: string;
let elsewhere: string;
let workspaceId: string;

beforeAll(async () => {
  modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-served-"));
  elsewhere = await mkdtemp(path.join(os.tmpdir(), "assay-registered-"));
  await ensureDemoModels(modelsDir);
  await writeRandomModel(path.join(elsewhere, "team.gguf"), { seed: 11, name: "Team model" });
  workspaceId = (await db.workspace.create({ data: { name: "Registered", slug: `registered-${randomUUID().slice(0, 8)}` } })).id;

  child = spawn(process.execPath, [path.join(root, "bin/assay.js"), "serve-model", "--port", "0", "--models-dir", modelsDir, "--context-size", "256"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL, ASSAY_SECRET: process.env.ASSAY_SECRET, ASSAY_MODEL_PATHS: elsewhere },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  baseURL = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve-model did not start:\n${output}`)), 60_000);
    child.stdout!.on("data", () => {
      const match = /on (http:\/\/[^\s]+\/v1)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`serve-model exited with ${code}:\n${output}`)));
  });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await rm(modelsDir, { recursive: true, force: true });
  await rm(elsewhere, { recursive: true, force: true });
});

async function servedIds(client: OpenAI): Promise<string[]> {
  const ids: string[] = [];
  for await (const model of client.models.list()) ids.push(model.id);
  return ids.sort();
}

describe("assay serve-model with DATABASE_URL", () => {
  it("says it serves registered models too", () => {
    expect(output).toContain(`Serving the models in ${modelsDir} and those registered in Assay on ${baseURL}`);
  });

  it("serves a registered GGUF at once, only with its workspace's key, and stops serving it once removed", async () => {
    const client = new OpenAI({ baseURL, apiKey: await localModelKey(workspaceId), maxRetries: 0 });
    const keyless = new OpenAI({ baseURL, apiKey: "none", maxRetries: 0 });
    expect(await servedIds(client)).toEqual(["assay-ngram-demo", "assay-random-1m"]);

    const row = await db.localModel.create({
      data: { workspaceId, name: "team-model", path: path.join(elsewhere, "team.gguf"), sizeBytes: 1n },
    });
    // A name the server has not listed in the last second makes it read the registrations again.
    const completion = await client.completions.create({ model: "team-model", prompt: "hello", temperature: 0, max_tokens: 5 });
    expect(completion.usage?.completion_tokens).toBe(5);
    expect(await servedIds(client)).toEqual(["assay-ngram-demo", "assay-random-1m", "team-model"]);
    expect(await servedIds(keyless)).toEqual(["assay-ngram-demo", "assay-random-1m"]);
    await expect(keyless.completions.create({ model: "team-model", prompt: "hello", max_tokens: 2 })).rejects.toBeInstanceOf(NotFoundError);

    await db.localModel.delete({ where: { id: row.id } });
    expect(await servedIds(client)).toEqual(["assay-ngram-demo", "assay-random-1m"]);
    const deadline = Date.now() + 5000;
    let error: unknown;
    while (Date.now() < deadline) {
      error = await client.completions.create({ model: "team-model", prompt: "hello", max_tokens: 2 }).then(() => undefined, (caught: unknown) => caught);
      if (error) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(error).toBeInstanceOf(NotFoundError);
    const metrics = (await (await fetch(`${baseURL.replace(/\/v1$/, "")}/metrics`)).json()) as { models: Record<string, unknown> };
    expect(Object.keys(metrics.models).sort()).toEqual(["assay-ngram-demo", "assay-random-1m"]);
  });

  it("keeps a folder file's name for the file when a registration claims it too", async () => {
    await db.localModel.create({ data: { workspaceId, name: NGRAM_DEMO_MODEL, path: path.join(elsewhere, "team.gguf"), sizeBytes: 1n } });
    const client = new OpenAI({ baseURL, apiKey: "none", maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: NGRAM_DEMO_MODEL, messages: [{ role: "user", content: "Latency is" }], temperature: 0 });
    expect(completion.choices[0]!.message.content).toBe("the model.");
  });

  it("stops on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("SIGTERM: stopping");
  });
});
