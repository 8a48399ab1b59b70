import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ModelServer } from "../../lib/local-models/server.ts";
import { writeTestModels, type TestModels } from "../support/local-models.ts";

// The demo n-gram model, called through a workspace's built-in Local models connection (which sends the workspace's
// model-server key), answers what it answers without a key.

process.env.ASSAY_SECRET ??= "integration-test-master-secret";
process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const { startModelServer } = await import("../../lib/local-models/server.ts");
const { registeredModelSource } = await import("../../lib/local-models/registered-models.ts");
const { studentSource } = await import("../../lib/distill/serve-student.ts");
const { workspaceOfModelKey } = await import("../../lib/local-models/workspace-key.ts");
const { loadMasterKey } = await import("../../lib/connections/crypto.ts");
const { resolveCellTarget } = await import("../../lib/runs/targets.ts");
const { limitedCall } = await import("../../lib/llm/limited-call.ts");

let models: TestModels;
let server: ModelServer;
let workspaceId: string;
let connectionId: string;

beforeAll(async () => {
  models = await writeTestModels();
  process.env.ASSAY_MODELS_DIR = models.dir;
  const masterKey = await loadMasterKey();
  server = await startModelServer({
    modelsDir: models.dir,
    port: 0,
    contextSize: 512,
    extraModels: registeredModelSource(db, { allowedFolders: [models.dir] }),
    students: studentSource(db),
    workspaceOfKey: async (apiKey) => workspaceOfModelKey(apiKey, masterKey),
  });
  workspaceId = (await db.workspace.create({ data: { name: "Key", slug: `key-${randomUUID().slice(0, 8)}` } })).id;
  connectionId = (
    await db.connection.create({
      data: { workspaceId, name: "Local models", kind: "local", preset: "local", baseUrl: `${server.url}/v1`, models: { create: [{ name: models.ngramId, contextWindow: 512 }] } },
    })
  ).id;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await models?.remove();
});

describe("the demo model through the Local models connection", () => {
  it("answers the same text with the workspace key as without one", async () => {
    const messages = [
      { role: "system" as const, content: "You route customer support messages. Answer with exactly one word from this list: billing, bug, feature-request, account, other." },
      { role: "user" as const, content: "Customer message:\nI was charged twice for my plan" },
    ];
    const withKey = await resolveCellTarget(workspaceId, { connectionId, model: models.ngramId });
    expect(withKey.target.apiKey).toMatch(/^assay-ws-/);
    const keyless = { ...withKey, target: { ...withKey.target, apiKey: null }, connectionId: null, limitKey: "keyless" };
    const call = async (target: typeof withKey) =>
      (await limitedCall(target, messages, { temperature: 0, maxTokens: 16 }, { run: null }, { maxRetries: 0, signal: new AbortController().signal })).result;
    const bare = await call(keyless);
    const keyed = await call(withKey);
    expect(bare.error).toBeNull();
    expect(bare.output).toBe("the model.");
    expect(keyed.error).toBeNull();
    expect(keyed.output).toBe("the model.");
  });

  it("answers \"\" for a message ending a sentence, with the key or without: the n-gram counts end a line there", async () => {
    // What closing11's "answers '' with the workspace key" was: the n-gram model learned every corpus line as
    // words, then ".", then end-of-sequence, so a conversation whose last token is such a "." is continued by EOS at
    // once. The key changes nothing.
    const system = { role: "system" as const, content: "You write one-line summaries of support tickets for an on-call engineer. No more than 20 words." };
    const withKey = await resolveCellTarget(workspaceId, { connectionId, model: models.ngramId });
    const keyless = { ...withKey, target: { ...withKey.target, apiKey: null }, connectionId: null, limitKey: "keyless" };
    const call = async (target: typeof withKey, content: string) =>
      (await limitedCall(target, [system, { role: "user", content }], { temperature: 0, maxTokens: 48 }, { run: null }, { maxRetries: 0, signal: new AbortController().signal })).result;
    for (const target of [withKey, keyless]) {
      const ended = await call(target, "Ticket from Acme (plan: pro):\nThe export hangs.");
      expect(ended.error).toBeNull();
      expect([ended.output, ended.usage.outputTokens, ended.finishReason]).toEqual(["", 0, "stop"]);
      const open = await call(target, "Ticket from Acme (plan: pro):\nThe export hangs");
      expect(open.output).toBe("the model.");
    }
  });
});
