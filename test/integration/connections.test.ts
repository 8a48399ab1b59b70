import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const connections = await import("../../lib/connections/service.ts");

const KEY = `sk-proj-KnownSecret-${randomUUID()}`;
let workspaceId: string;
let otherWorkspaceId: string;
let fake: FakeOpenAI;

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  workspaceId = (await db.workspace.create({ data: { name: "Connections", slug: `connections-${suffix}` } })).id;
  otherWorkspaceId = (await db.workspace.create({ data: { name: "Other", slug: `other-${suffix}` } })).id;
  fake = await startFakeOpenAI({ apiKey: KEY, models: ["fake-echo", "gpt-4o-mini"] });
});

afterAll(async () => {
  await fake.close();
});

/** Every row of every table as text: what a database dump would hold. */
async function dumpEverything(): Promise<string> {
  const tables = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${table_name}" t`);
    parts.push(...rows.map((item) => item.row));
  }
  return parts.join("\n");
}

describe("connections", () => {
  it("stores the API key encrypted: a dump of the whole database never holds it, and only its last 4 are shown", async () => {
    const log = vi.spyOn(console, "log");
    const error = vi.spyOn(console, "error");
    const created = await connections.createConnection(workspaceId, {
      name: "OpenAI",
      baseUrl: fake.url,
      apiKey: KEY,
      models: [{ name: "gpt-4o-mini", contextWindow: 128_000, inputPricePerM: 0.15, outputPricePerM: 0.6 }],
    });
    expect(created.apiKeyLast4).toBe(KEY.slice(-4));
    expect(JSON.stringify(created)).not.toContain(KEY);
    expect(JSON.stringify(await connections.listConnections(workspaceId))).not.toContain(KEY);

    const dump = await dumpEverything();
    expect(dump).toContain("gpt-4o-mini");
    expect(dump).not.toContain(KEY);
    expect(dump).not.toContain(KEY.slice(8, 30));
    expect(dump).not.toContain(Buffer.from(KEY).toString("base64").slice(0, 24));

    // The server side still gets the key back to call the provider.
    const target = await connections.resolveTarget(workspaceId, created.id, "gpt-4o-mini");
    expect(target.apiKey).toBe(KEY);
    expect(target.prices).toEqual({ inputPricePerM: 0.15, outputPricePerM: 0.6 });
    const logged = [...log.mock.calls, ...error.mock.calls].flat().map(String).join("\n");
    expect(logged).not.toContain(KEY);
    log.mockRestore();
    error.mockRestore();
  });

  it("tests a connection with the stored key, and says in its own words what is wrong", async () => {
    const [created] = await connections.listConnections(workspaceId);
    const ok = await connections.testConnectionSettings(workspaceId, { baseUrl: fake.url, connectionId: created!.id });
    expect(ok).toMatchObject({ ok: true, models: ["fake-echo", "gpt-4o-mini"] });
    const wrongKey = await connections.testConnectionSettings(workspaceId, { baseUrl: fake.url, apiKey: "sk-wrong-key-123456" });
    expect(wrongKey).toMatchObject({ ok: false, kind: "auth", status: 401 });
    const unreachable = await connections.testConnectionSettings(workspaceId, { baseUrl: "http://127.0.0.1:9/v1" });
    expect(unreachable).toMatchObject({ ok: false, kind: "unreachable" });
  });

  it("imports models from /v1/models, keeps edited prices, renames and deletes", async () => {
    const [created] = await connections.listConnections(workspaceId);
    const imported = await connections.importModels(workspaceId, created!.id);
    expect(imported.added).toEqual(["fake-echo"]);
    expect(imported.connection.models.find((model) => model.name === "gpt-4o-mini")?.inputPricePerM).toBe(0.15);
    const renamed = await connections.updateConnection(workspaceId, created!.id, { name: "OpenAI (prod)", concurrency: 8 });
    expect(renamed).toMatchObject({ name: "OpenAI (prod)", concurrency: 8, apiKeyLast4: KEY.slice(-4) });
  });

  it("rejects bad input naming the field and changes nothing", async () => {
    const before = await db.connection.count();
    const error = await connections.createConnection(workspaceId, { name: "", baseUrl: "not a url" }).catch((caught: unknown) => caught);
    expect(String((error as Error).message)).toMatch(/name|URL/i);
    const duplicate = await connections
      .createConnection(workspaceId, { name: "OpenAI (prod)", baseUrl: fake.url })
      .catch((caught: unknown) => caught);
    expect(duplicate).toBeInstanceOf(AppError);
    expect((duplicate as InstanceType<typeof AppError>).code).toBe("conflict");
    expect(await db.connection.count()).toBe(before);
  });

  it("keeps workspaces apart", async () => {
    const [created] = await connections.listConnections(workspaceId);
    await expect(connections.getConnection(otherWorkspaceId, created!.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(connections.resolveTarget(otherWorkspaceId, created!.id, "gpt-4o-mini")).rejects.toMatchObject({ code: "not_found" });
    await expect(connections.deleteConnection(otherWorkspaceId, created!.id)).rejects.toMatchObject({ code: "not_found" });
  });
});
