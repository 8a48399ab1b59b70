import { randomUUID } from "node:crypto";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// Issue #11: an application calls a prompt through the real app's gateway with the official openai SDK, unchanged
// (baseURL `${appUrl}/api/gateway/v1`), and a fake upstream behind the prompt's connection.

process.env.DATABASE_URL = inject("databaseUrl");
const { db } = await import("../../lib/db.ts");
const prompts = await import("../../lib/prompts/service.ts");
const { createGatewayKey } = await import("../../lib/gateway/keys.ts");
const { notifyGatewayChange } = await import("../../lib/gateway/notify.ts");
const appUrl = inject("appUrl");

let fake: FakeOpenAI;
let client: OpenAI;
let workspaceId: string;
let keyId: string;
let revokedKey: string;
let revokedKeyId: string;

const version = (connectionId: string, text: string) => ({
  messages: [
    { role: "system" as const, content: text },
    { role: "user" as const, content: "Summarize: {{ text }}" },
  ],
  examples: [],
  counterexamples: [],
  exampleMode: "chat" as const,
  connectionId,
  model: "fake-echo",
  params: { temperature: 0 },
  commitMessage: text,
});

beforeAll(async () => {
  fake = await startFakeOpenAI({ models: ["fake-echo"] });
  const suffix = randomUUID().slice(0, 8);
  const workspace = await db.workspace.create({ data: { name: "Gateway SDK", slug: `gateway-sdk-${suffix}` } });
  workspaceId = workspace.id;
  const user = await db.user.create({ data: { id: randomUUID(), name: "Sam", email: `sam-${suffix}@example.com`, emailVerified: true } });
  const connection = await db.connection.create({
    data: {
      workspaceId,
      name: "Fake upstream",
      baseUrl: fake.url,
      concurrency: 50,
      models: { create: [{ name: "fake-echo", contextWindow: 8000, inputPricePerM: 1, outputPricePerM: 2 }] },
    },
  });
  const prompt = await prompts.createPrompt(workspaceId, user.id, { name: "summarize", version: version(connection.id, "v1") });
  const v2 = await prompts.createVersion(workspaceId, prompt.id, user.id, version(connection.id, "v2"));
  await db.promptLabel.createMany({
    data: [
      { promptId: prompt.id, name: "production", versionId: prompt.latest.id },
      { promptId: prompt.id, name: "staging", versionId: v2.id },
    ],
  });
  const key = createGatewayKey();
  keyId = (await db.gatewayKey.create({ data: { workspaceId, name: "app", keyHash: key.keyHash, prefix: key.prefix } })).id;
  const revoked = createGatewayKey();
  revokedKey = revoked.key;
  revokedKeyId = (await db.gatewayKey.create({ data: { workspaceId, name: "old app", keyHash: revoked.keyHash, prefix: revoked.prefix } })).id;
  client = new OpenAI({ baseURL: `${appUrl}/api/gateway/v1`, apiKey: key.key, maxRetries: 0 });
});

afterAll(async () => {
  await fake?.close();
});

describe("the openai SDK against the gateway", () => {
  it("lists the prompts as models", async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(["summarize", "summarize@production", "summarize@staging"]);
  });

  it("chats, with the Assay headers, and the call is stored after the flush", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "summarize", messages: [], metadata: { text: "the quarterly report" }, user: "user-1" })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: Summarize: the quarterly report");
    expect(data.usage!.total_tokens).toBeGreaterThan(0);
    const callId = response.headers.get("x-assay-call-id")!;
    expect(callId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-assay-version")).toBe("1");
    expect(response.headers.get("x-assay-release")).toBe("");
    expect(response.headers.get("x-assay-arm")).toBe("");
    await expect
      .poll(() => db.call.findUnique({ where: { id: callId }, select: { source: true, output: true, gatewayKeyId: true, label: true, stream: true, cost: true } }))
      .toEqual({ source: "gateway", output: "Echo: Summarize: the quarterly report", gatewayKeyId: keyId, label: "production", stream: false, cost: expect.any(Number) });
  });

  it("sends the upstream only the request's own headers (the SDK client is shared per connection)", async () => {
    await client.chat.completions.create({ model: "summarize", messages: [], metadata: { text: "headers" } });
    const sent = fake.requests.filter((request) => request.path.endsWith("/chat/completions"));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((request) => Object.keys(request.headers).some((name) => name.startsWith("x-assay")))).toEqual([]);
  });

  it("refuses a body over ASSAY_MAX_BODY with a 413 in OpenAI's shape, outside Next's pipeline too", async () => {
    const response = await fetch(`${appUrl}/api/gateway/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${client.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "summarize", messages: [], metadata: { text: "x".repeat(1024 ** 2 + 10) } }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
  });

  it("streams with include_usage, the usage in the last chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "summarize",
      messages: [{ role: "user", content: "Keep it short." }],
      variables: { text: "a long memo" },
      stream: true,
      stream_options: { include_usage: true },
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = "";
    let usage: OpenAI.CompletionUsage | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    // The request's own message is appended after the prompt's: it is the last user message the echo answers.
    expect(text).toBe("Echo: Keep it short.");
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("pins a label with prompt@label", async () => {
    const { response } = await client.chat.completions.create({ model: "summarize@staging", messages: [], metadata: { text: "x" } }).withResponse();
    expect(response.headers.get("x-assay-version")).toBe("2");
  });

  it("answers an unknown prompt or label with 404 model_not_found", async () => {
    await expect(client.chat.completions.create({ model: "nothing", messages: [] })).rejects.toMatchObject({ status: 404, code: "model_not_found", param: "model" });
    await expect(client.chat.completions.create({ model: "summarize@nope", messages: [], metadata: { text: "x" } })).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
    });
  });

  it("names the missing and the unknown variable in a 400", async () => {
    const missing = client.chat.completions.create({ model: "summarize", messages: [] });
    await expect(missing).rejects.toMatchObject({ status: 400, param: "metadata.text", code: "missing_variable" });
    await expect(missing).rejects.toThrow(/Missing variable "text"/);
    const unknown = client.chat.completions.create({ model: "summarize", messages: [], metadata: { text: "x", txet: "y" } });
    await expect(unknown).rejects.toMatchObject({ status: 400, param: "metadata.txet", code: "unknown_variable" });
  });

  it("refuses a wrong key and a revoked key with 401 invalid_api_key", async () => {
    const wrong = new OpenAI({ baseURL: `${appUrl}/api/gateway/v1`, apiKey: createGatewayKey().key, maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401, code: "invalid_api_key" });
    const old = new OpenAI({ baseURL: `${appUrl}/api/gateway/v1`, apiKey: revokedKey, maxRetries: 0 });
    expect((await old.models.list()).data.length).toBe(3);
    await db.$transaction(async (transaction) => {
      await transaction.gatewayKey.update({ where: { id: revokedKeyId }, data: { revokedAt: new Date() } });
      await notifyGatewayChange(workspaceId, "key", transaction);
    });
    await expect.poll(() => old.models.list().then(() => 200, (error: { status?: number }) => error.status), { timeout: 1_000, interval: 50 }).toBe(401);
    await expect(old.models.list()).rejects.toMatchObject({ status: 401, code: "invalid_api_key", message: expect.stringMatching(/revoked/) });
  });
});
