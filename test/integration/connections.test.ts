import { createCipheriv, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const connections = await import("../../lib/connections/service.ts");
const { loadMasterKey } = await import("../../lib/connections/crypto.ts");
const { openDatabase } = await import("../../lib/runtime/database.ts");
const { loadRunContext } = await import("../../lib/runs/run-context.ts");
const { startPlaygroundRun } = await import("../../lib/playground/run.ts");
const prompts = await import("../../lib/prompts/service.ts");
const { httpStatusOf, errorBody } = await import("../../lib/errors.ts");

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

  it("a connection of kind local pointed at another host gets no workspace model-server key (issue #9 review)", async () => {
    const remote = await connections.createConnection(workspaceId, { name: "Local elsewhere", kind: "local", baseUrl: "https://models.evil.example/v1" });
    expect((await connections.resolveTarget(workspaceId, remote.id, "any-model")).apiKey).toBeNull();
    const here = await connections.createConnection(workspaceId, { name: "Local here", kind: "local", baseUrl: "http://127.0.0.1:8088/v1" });
    expect((await connections.resolveTarget(workspaceId, here.id, "any-model")).apiKey).toMatch(/^assay-ws-/);
    await connections.deleteConnection(workspaceId, remote.id);
    await connections.deleteConnection(workspaceId, here.id);
  });

  it("keeps workspaces apart", async () => {
    const [created] = await connections.listConnections(workspaceId);
    await expect(connections.getConnection(otherWorkspaceId, created!.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(connections.resolveTarget(otherWorkspaceId, created!.id, "gpt-4o-mini")).rejects.toMatchObject({ code: "not_found" });
    await expect(connections.deleteConnection(otherWorkspaceId, created!.id)).rejects.toMatchObject({ code: "not_found" });
  });
});

/** A payload exactly as the v1 code wrote it: AES-256-GCM under the master key, no associated data. */
function legacyV1(plain: string, masterKey: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(":");
}

function withAuthorization(server: FakeOpenAI): number {
  return server.requests.filter((request) => request.headers.authorization !== undefined).length;
}

describe("stored keys go only where they were saved for (issue #9)", () => {
  const HOME_KEY = `sk-home-${randomUUID()}`;
  let home: FakeOpenAI;
  let foreign: FakeOpenAI;

  beforeAll(async () => {
    home = await startFakeOpenAI({ apiKey: HOME_KEY, models: ["home-model"] });
    // Accepts any key and records every request: the attacker's server.
    foreign = await startFakeOpenAI({ models: ["foreign-model"] });
  });

  afterAll(async () => {
    await home.close();
    await foreign.close();
  });

  async function homeConnection(name: string) {
    return connections.createConnection(workspaceId, { name, baseUrl: home.url, apiKey: HOME_KEY });
  }

  it("test with connectionId and a foreign baseUrl: 400 naming apiKey, and the foreign server receives no request at all", async () => {
    const saved = await homeConnection(`Home ${randomUUID().slice(0, 6)}`);
    const before = foreign.requests.length;
    const refused = await connections
      .testConnectionSettings(workspaceId, { baseUrl: foreign.url, connectionId: saved.id })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(AppError);
    const error = refused as InstanceType<typeof AppError>;
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toBe(
      `This URL's origin differs from the one the key was saved for (http://127.0.0.1:${home.port} → http://127.0.0.1:${foreign.port}): ` +
        "type the key again to test it.",
    );
    expect(error.details.map((detail) => detail.path)).toEqual(["apiKey"]);
    expect(foreign.requests.length).toBe(before);
    expect(withAuthorization(foreign)).toBe(0);
    expect(JSON.stringify(errorBody(error))).not.toContain(HOME_KEY);

    // The same origin on another path still uses the stored key; a typed key may go anywhere its typist wants.
    const samePath = await connections.testConnectionSettings(workspaceId, { baseUrl: home.url.replace(/\/v1$/, "/v1/"), connectionId: saved.id });
    expect(samePath).toMatchObject({ ok: true, models: ["home-model"] });
    const typed = await connections.testConnectionSettings(workspaceId, { baseUrl: foreign.url, connectionId: saved.id, apiKey: "sk-typed-for-foreign" });
    expect(typed).toMatchObject({ ok: true, models: ["foreign-model"] });
    expect(foreign.requests.at(-1)?.headers.authorization).toBe("Bearer sk-typed-for-foreign");
  });

  it("origins compare scheme, host and port: localhost is not 127.0.0.1, and the default port is the same origin", async () => {
    const saved = await homeConnection(`Home ${randomUUID().slice(0, 6)}`);
    await expect(
      connections.testConnectionSettings(workspaceId, { baseUrl: `http://localhost:${home.port}/v1`, connectionId: saved.id }),
    ).rejects.toMatchObject({ code: "bad_request", details: [{ path: "apiKey" }] });
    const upperCase = await connections.testConnectionSettings(workspaceId, { baseUrl: `HTTP://127.0.0.1:${home.port}/v1`, connectionId: saved.id });
    expect(upperCase).toMatchObject({ ok: true });
  });

  it("PATCH moving baseUrl to another origin without a key clears the stored key and says so", async () => {
    const saved = await homeConnection(`Home ${randomUUID().slice(0, 6)}`);
    expect(saved).toMatchObject({ hasKey: true, apiKeyOrigin: `http://127.0.0.1:${home.port}` });
    const moved = await connections.updateConnection(workspaceId, saved.id, { baseUrl: foreign.url });
    expect(moved).toMatchObject({ baseUrl: foreign.url, hasKey: false, apiKeyLast4: null, apiKeyOrigin: null, keyCleared: true });
    expect(moved.notices).toEqual([
      `The stored API key was removed: it was saved for http://127.0.0.1:${home.port}, and the base URL now points to ` +
        `http://127.0.0.1:${foreign.port}. Type the key again to use this connection.`,
    ]);
    const row = await db.connection.findUniqueOrThrow({ where: { id: saved.id } });
    expect(row).toMatchObject({ apiKeyCipher: null, apiKeyLast4: null, apiKeyOrigin: null });
    const before = foreign.requests.length;
    const target = await connections.resolveTarget(workspaceId, saved.id, "foreign-model");
    expect(target.apiKey).toBeNull();
    expect(foreign.requests.length).toBe(before);
  });

  it("PATCH moving to another origin with a new key seals the new key for the new origin", async () => {
    const saved = await homeConnection(`Home ${randomUUID().slice(0, 6)}`);
    const moved = await connections.updateConnection(workspaceId, saved.id, { baseUrl: foreign.url, apiKey: "sk-foreign-key-0123456789" });
    expect(moved).toMatchObject({ hasKey: true, apiKeyLast4: "6789", apiKeyOrigin: `http://127.0.0.1:${foreign.port}`, keyCleared: false, notices: [] });
    expect((await connections.resolveTarget(workspaceId, saved.id, "foreign-model")).apiKey).toBe("sk-foreign-key-0123456789");
    // …and is no longer sent home.
    await expect(connections.testConnectionSettings(workspaceId, { baseUrl: home.url, connectionId: saved.id })).rejects.toMatchObject({
      code: "bad_request",
    });
  });

  it("PATCH changing only the path on the same origin keeps the key", async () => {
    const saved = await homeConnection(`Home ${randomUUID().slice(0, 6)}`);
    const v2 = home.url.replace(/\/v1$/, "/v2");
    const moved = await connections.updateConnection(workspaceId, saved.id, { baseUrl: v2 });
    expect(moved).toMatchObject({ baseUrl: v2, hasKey: true, apiKeyLast4: HOME_KEY.slice(-4), keyCleared: false, notices: [] });
    expect((await connections.resolveTarget(workspaceId, saved.id, "home-model")).apiKey).toBe(HOME_KEY);
  });

  it("a base URL edited in the database behind the app's back: resolveTarget and importModels refuse, nothing reaches it", async () => {
    const saved = await homeConnection(`Home ${randomUUID().slice(0, 6)}`);
    await db.connection.update({ where: { id: saved.id }, data: { baseUrl: foreign.url } });
    const before = foreign.requests.length;
    await expect(connections.resolveTarget(workspaceId, saved.id, "foreign-model")).rejects.toMatchObject({ code: "key_unreadable" });
    await expect(connections.importModels(workspaceId, saved.id)).rejects.toMatchObject({ code: "key_unreadable" });
    expect(foreign.requests.length).toBe(before);
    // Pointing apiKeyOrigin there as well does not help: the origin is sealed into the ciphertext.
    await db.connection.update({ where: { id: saved.id }, data: { apiKeyOrigin: `http://127.0.0.1:${foreign.port}` } });
    await expect(connections.resolveTarget(workspaceId, saved.id, "foreign-model")).rejects.toMatchObject({ code: "key_unreadable" });
    expect(foreign.requests.length).toBe(before);
  });

  it("a cipher copied to another connection or workspace fails to decrypt with AppError key_unreadable (409): playground refuses, a run cell shows the message", async () => {
    const source = await homeConnection(`Source ${randomUUID().slice(0, 6)}`);
    const sameWorkspace = await connections.createConnection(workspaceId, { name: `Copy ${randomUUID().slice(0, 6)}`, baseUrl: home.url, apiKey: "sk-other-key-abcdefghij" });
    const otherWorkspace = await connections.createConnection(otherWorkspaceId, { name: `Copy ${randomUUID().slice(0, 6)}`, baseUrl: home.url });
    const stolen = await db.connection.findUniqueOrThrow({ where: { id: source.id }, select: { apiKeyCipher: true, apiKeyLast4: true, apiKeyOrigin: true } });
    expect(stolen.apiKeyCipher).toMatch(/^v2:/);
    for (const [target, targetWorkspace] of [
      [sameWorkspace.id, workspaceId],
      [otherWorkspace.id, otherWorkspaceId],
    ] as const) {
      await db.connection.update({ where: { id: target }, data: stolen });
      const error = await connections.resolveTarget(targetWorkspace, target, "home-model").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as InstanceType<typeof AppError>).code).toBe("key_unreadable");
      expect(httpStatusOf(error)).toBe(409);
      expect((error as Error).message).toMatch(/^The stored API key of "Copy [0-9a-f]{6}" cannot be read: .*copied from another connection\. Enter the key again\.$/);
      const body = JSON.stringify(errorBody(error));
      expect(body).not.toContain(HOME_KEY);
      expect(body).not.toContain(stolen.apiKeyCipher!.split(":")[3]!);
    }
    // The playground refuses before streaming anything: a 409 the user can act on, and nothing reaches the server.
    const user = await db.user.create({ data: { id: randomUUID(), name: "Kim", email: `kim-${randomUUID()}@example.com` } });
    const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
    const prompt = await prompts.createPrompt(workspaceId, user.id, {
      name: `keys ${randomUUID().slice(0, 6)}`,
      version: { messages: [{ role: "user", content: "Hello" }] },
    });
    const homeRequests = home.requests.length;
    const playground = await startPlaygroundRun(
      { user: { id: user.id, name: user.name, email: user.email }, workspace: { id: workspace.id, name: workspace.name, slug: workspace.slug }, role: "owner" },
      {
        promptId: prompt.id,
        versionId: null,
        draft: { messages: [{ role: "user", content: "Hello" }], examples: [], counterexamples: [], exampleMode: "chat", params: {} },
        variables: {},
        targets: [{ key: "a", connectionId: sameWorkspace.id, model: "home-model", params: {} }],
      },
      new AbortController().signal,
    ).catch((caught: unknown) => caught);
    expect(playground).toMatchObject({ code: "key_unreadable" });
    expect(httpStatusOf(playground)).toBe(409);
    expect(home.requests.length).toBe(homeRequests);

    // A run whose key became unreadable after it was queued: its cells get this message (execute-cell writes a
    // variant's targetError as the cell's error), the worker does not fail.
    const run = await db.run.create({
      data: {
        workspaceId,
        config: {},
        variants: { create: { position: 0, label: "A", prompt: {}, connectionId: sameWorkspace.id, model: "home-model", params: {} } },
      },
    });
    const context = await loadRunContext(run.id, {});
    expect(context?.variants[0]?.target).toBeNull();
    expect(context?.variants[0]?.targetError).toMatch(/^The stored API key of "Copy [0-9a-f]{6}" cannot be read: the master key changed/);
    await db.run.delete({ where: { id: run.id } });
    expect((await connections.resolveTarget(workspaceId, source.id, "home-model")).apiKey).toBe(HOME_KEY);
  });

  it("a v1 payload still decrypts, and the start step re-encrypts it to v2 once, bound to its record, nothing lost", async () => {
    const masterKey = await loadMasterKey();
    const legacy = await connections.createConnection(workspaceId, { name: `Legacy ${randomUUID().slice(0, 6)}`, baseUrl: home.url });
    const v1 = legacyV1(HOME_KEY, masterKey);
    await db.connection.update({ where: { id: legacy.id }, data: { apiKeyCipher: v1, apiKeyLast4: HOME_KEY.slice(-4), apiKeyOrigin: null } });
    expect((await connections.resolveTarget(workspaceId, legacy.id, "home-model")).apiKey).toBe(HOME_KEY);

    const info = vi.spyOn(console, "info");
    const database = await openDatabase();
    expect(database.keys).toEqual({ reencrypted: 1, unreadable: [] });
    expect(info.mock.calls.flat().map(String)).toContain("[keys] Re-encrypted 1 stored API key(s), now bound to their connection.");
    expect(info.mock.calls.flat().map(String).join("\n")).not.toContain(HOME_KEY);
    info.mockRestore();

    const row = await db.connection.findUniqueOrThrow({ where: { id: legacy.id } });
    expect(row.apiKeyCipher).toMatch(/^v2:/);
    expect(row.apiKeyOrigin).toBe(`http://127.0.0.1:${home.port}`);
    expect(row.apiKeyLast4).toBe(HOME_KEY.slice(-4));
    expect((await connections.resolveTarget(workspaceId, legacy.id, "home-model")).apiKey).toBe(HOME_KEY);
    const ok = await connections.testConnectionSettings(workspaceId, { baseUrl: home.url, connectionId: legacy.id });
    expect(ok).toMatchObject({ ok: true });

    // Idempotent: a second start finds nothing to do and leaves the row alone.
    expect((await openDatabase()).keys).toEqual({ reencrypted: 0, unreadable: [] });
    expect((await db.connection.findUniqueOrThrow({ where: { id: legacy.id } })).apiKeyCipher).toBe(row.apiKeyCipher);
  });

  it("a v1 payload under another master key is left exactly as it was by the start step, and reported", async () => {
    const orphan = await connections.createConnection(workspaceId, { name: `Orphan ${randomUUID().slice(0, 6)}`, baseUrl: home.url });
    const v1 = legacyV1(HOME_KEY, randomBytes(32));
    await db.connection.update({ where: { id: orphan.id }, data: { apiKeyCipher: v1 } });
    const warn = vi.spyOn(console, "warn");
    const database = await openDatabase();
    expect(database.keys).toEqual({ reencrypted: 0, unreadable: [`${orphan.name} (${orphan.id})`] });
    expect(warn.mock.calls.flat().map(String).join("\n")).not.toContain(v1.split(":")[3]!);
    warn.mockRestore();
    expect((await db.connection.findUniqueOrThrow({ where: { id: orphan.id } })).apiKeyCipher).toBe(v1);
    await expect(connections.resolveTarget(workspaceId, orphan.id, "home-model")).rejects.toMatchObject({ code: "key_unreadable" });
    await connections.deleteConnection(workspaceId, orphan.id);
  });
});
