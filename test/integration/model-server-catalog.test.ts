import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import OpenAI, { NotFoundError } from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL, ensureDemoModels } from "../../lib/local-models/demo-models.ts";
import { readGgufInfo } from "../../lib/local-models/gguf-info.ts";
import { writeRandomModel } from "../../lib/local-models/random-model.ts";
import type { ModelServer } from "../../lib/local-models/server.ts";
import { rejection } from "../support/app-error.ts";

// The Models page's service against a real database and a real model server: list the folder's and registered
// GGUF files from their headers, register one by path (validated), measure speed through the server, remove.

const modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-catalog-models-"));
// Registering by path is limited to the models folder and ASSAY_MODEL_PATHS; `outside` is in neither.
const elsewhere = await mkdtemp(path.join(os.tmpdir(), "assay-catalog-files-"));
const outside = await mkdtemp(path.join(os.tmpdir(), "assay-catalog-outside-"));
process.env.ASSAY_MODELS_DIR = modelsDir;
process.env.ASSAY_MODEL_PATHS = elsewhere;
process.env.ASSAY_SECRET ??= "integration-test-master-secret";
process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const { AppError, errorBody, httpStatusOf } = await import("../../lib/errors.ts");
const catalog = await import("../../lib/local-models/catalog.ts");
const { startModelServer } = await import("../../lib/local-models/server.ts");
const { registeredModelSource } = await import("../../lib/local-models/registered-models.ts");
const { localModelKeyFor, workspaceOfModelKey } = await import("../../lib/local-models/workspace-key.ts");
/** The workspace key as the app sends it to this machine's model server. */
const localModelKey = async (id: string) => (await localModelKeyFor(id, "http://127.0.0.1/v1")) as string;
const { loadMasterKey } = await import("../../lib/connections/crypto.ts");

let server: ModelServer;
let workspaceId: string;
let otherWorkspaceId: string;
let connectionId: string;
const teamPath = () => path.join(elsewhere, "Team Model Q8.gguf");


beforeAll(async () => {
  await ensureDemoModels(modelsDir);
  await writeRandomModel(teamPath(), { seed: 21, name: "Team model", contextLength: 8192 });
  await writeFile(path.join(elsewhere, "notes.gguf"), "plain text, not a model, but long enough for a header");
  await mkdir(path.join(elsewhere, "folder.gguf"));
  const masterKey = await loadMasterKey();
  server = await startModelServer({
    modelsDir,
    port: 0,
    contextSize: 256,
    extraModels: registeredModelSource(db, { allowedFolders: [modelsDir, elsewhere] }),
    workspaceOfKey: async (apiKey) => workspaceOfModelKey(apiKey, masterKey),
  });
  const suffix = randomUUID().slice(0, 8);
  workspaceId = (await db.workspace.create({ data: { name: "Catalog", slug: `catalog-${suffix}` } })).id;
  otherWorkspaceId = (await db.workspace.create({ data: { name: "Other", slug: `catalog-other-${suffix}` } })).id;
  connectionId = (
    await db.connection.create({
      data: { workspaceId, name: "Local models", kind: "local", baseUrl: `${server.url}/v1`, models: { create: [{ name: NGRAM_DEMO_MODEL }] } },
    })
  ).id;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await db.workspace.deleteMany({ where: { id: { in: [workspaceId, otherWorkspaceId] } } });
  await rm(modelsDir, { recursive: true, force: true });
  await rm(elsewhere, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("the Models page service", () => {
  it("lists the folder's models from their GGUF headers, with the server's live state", async () => {
    const page = await catalog.listLocalModels(workspaceId, "owner");
    expect(page.modelsDir).toBe(modelsDir);
    expect(page.server).toEqual({ url: server.url, reachable: true, message: null });
    const random = page.models.find((model) => model.name === RANDOM_DEMO_MODEL)!;
    const info = await readGgufInfo(path.join(modelsDir, `${RANDOM_DEMO_MODEL}.gguf`));
    expect(random).toMatchObject({
      id: null,
      source: "folder",
      file: `${RANDOM_DEMO_MODEL}.gguf`,
      architecture: "llama",
      quantization: "F32",
      parameterCount: info.parameterCount,
      contextLength: 2048,
      sizeBytes: info.sizeBytes,
      title: "Assay random 1M",
      problem: null,
      tokensPerSecond: null,
      live: { state: "unloaded", activeRequests: 0, queuedRequests: 0 },
    });
    expect(page.models.map((model) => model.name)).toEqual([NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL]);
  });

  it("adds the folder's models to the workspace's Local models connection, leaving existing rows alone", async () => {
    await db.connectionModel.updateMany({ where: { connectionId, name: NGRAM_DEMO_MODEL }, data: { contextWindow: 333 } });
    await catalog.listLocalModels(workspaceId, "owner");
    const rows = await db.connectionModel.findMany({ where: { connectionId }, orderBy: { name: "asc" } });
    expect(rows.map((row) => [row.name, row.contextWindow, row.inputPricePerM, row.outputPricePerM])).toEqual([
      [NGRAM_DEMO_MODEL, 333, null, null],
      [RANDOM_DEMO_MODEL, 2048, 0, 0],
    ]);
  });

  it.each([
    [{ path: "models/x.gguf" }, "path", "absolute path"],
    [{ path: "__elsewhere__/missing.gguf" }, "path", "No file at __elsewhere__/missing.gguf"],
    [{ path: "__elsewhere__/folder.gguf" }, "path", "is a folder"],
    [{ path: "__elsewhere__/notes.gguf" }, "path", 'notes.gguf is not a GGUF file (no "GGUF" magic)'],
    [{ path: "__elsewhere__/Team Model Q8.gguf", name: "has space" }, "name", "Letters, digits"],
  ])("refuses %j with a 400 on the field", async (input, field, message) => {
    const error = await catalog.registerLocalModel(workspaceId, { ...input, path: input.path.replace("__elsewhere__", elsewhere) }).catch((caught: unknown) => caught);
    expect(httpStatusOf(error)).toBe(400);
    const body = errorBody(error).error;
    expect(body.details[0]?.path).toBe(field);
    expect(body.details[0]?.message).toContain(message.replace("__elsewhere__", elsewhere));
    expect(await db.localModel.count({ where: { workspaceId } })).toBe(0);
  });

  it("registration by path: a file outside the allowed folders gets the same answer whether or not it exists", async () => {
    await writeRandomModel(path.join(outside, "real.gguf"), { seed: 23 });
    await symlink(path.join(outside, "real.gguf"), path.join(elsewhere, "link-out.gguf"));
    await symlink(outside, path.join(elsewhere, "folder-out"));
    await symlink(path.join(outside, "gone.gguf"), path.join(elsewhere, "dangling-out.gguf"));
    const expected = { status: 400, message: `Models can be registered only from ${modelsDir}, ${elsewhere}.` };
    const answer = async (filePath: string) => {
      const error = await catalog.registerLocalModel(workspaceId, { path: filePath, name: "probe" }).catch((caught: unknown) => caught);
      return { status: httpStatusOf(error), message: errorBody(error).error.message };
    };
    expect(await answer(path.join(outside, "real.gguf"))).toEqual(expected);
    expect(await answer(path.join(outside, "missing.gguf"))).toEqual(expected);
    expect(await answer("/etc/passwd")).toEqual(expected);
    expect(await answer(`${elsewhere}/../${path.basename(outside)}/real.gguf`)).toEqual(expected);
    expect(await answer(path.join(elsewhere, "link-out.gguf"))).toEqual(expected);
    expect(await answer(path.join(elsewhere, "folder-out", "real.gguf"))).toEqual(expected);
    expect(await answer(path.join(elsewhere, "folder-out", "missing.gguf"))).toEqual(expected);
    expect(await answer(path.join(elsewhere, "dangling-out.gguf"))).toEqual(expected);
    expect(await db.localModel.count({ where: { workspaceId } })).toBe(0);
  });

  it("refuses a name the folder already uses", async () => {
    const error = await rejection(catalog.registerLocalModel(workspaceId, { path: teamPath(), name: NGRAM_DEMO_MODEL }));
    expect(error.code).toBe("conflict");
    expect(error.details[0]).toMatchObject({ path: "name" });
  });

  it("registers a GGUF by path, names it from the file, adds it to the connection, and the server serves it", async () => {
    const added = await catalog.registerLocalModel(workspaceId, { path: `  ${teamPath()} ` });
    expect(added).toMatchObject({ name: "Team-Model-Q8", source: "registered", path: teamPath(), architecture: "llama", contextLength: 8192, title: "Team model" });
    const row = await db.localModel.findFirstOrThrow({ where: { workspaceId, name: "Team-Model-Q8" } });
    expect(row).toMatchObject({ path: teamPath(), architecture: "llama", quantization: "F32", contextLength: 8192 });
    expect(Number(row.parameterCount)).toBe(added.parameterCount);
    expect(await db.connectionModel.findFirst({ where: { connectionId, name: "Team-Model-Q8" } })).toMatchObject({
      contextWindow: 4096,
      inputPricePerM: 0,
      outputPricePerM: 0,
    });

    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: await localModelKey(workspaceId), maxRetries: 0 });
    const completion = await client.completions.create({ model: "Team-Model-Q8", prompt: "hi", max_tokens: 3, temperature: 0 });
    expect(completion.usage?.completion_tokens).toBe(3);

    const page = await catalog.listLocalModels(workspaceId, "owner");
    expect(page.models.map((model) => `${model.source}:${model.name}`)).toEqual([
      `folder:${NGRAM_DEMO_MODEL}`,
      `folder:${RANDOM_DEMO_MODEL}`,
      "registered:Team-Model-Q8",
    ]);
  });

  it("a model registered in one workspace is not listed, measured or served in another", async () => {
    const origin = server.url;
    const keyA = await localModelKey(workspaceId);
    const keyB = await localModelKey(otherWorkspaceId);
    const served = async (apiKey: string | null, route = "/v1/models") => {
      const response = await fetch(`${origin}${route}`, apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {});
      const body = (await response.json()) as { data?: { id: string }[]; models?: Record<string, unknown> };
      return body.data ? body.data.map((model) => model.id) : Object.keys(body.models ?? {});
    };
    expect(await served(keyA)).toEqual([NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL, "Team-Model-Q8"]);
    expect(await served(keyB)).toEqual([NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL]);
    expect(await served(null)).toEqual([NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL]);
    expect(await served("none")).toEqual([NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL]);
    expect(await served(keyB, "/metrics")).toEqual([NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL]);

    const asB = new OpenAI({ baseURL: `${origin}/v1`, apiKey: keyB, maxRetries: 0 });
    const refused = await asB.completions.create({ model: "Team-Model-Q8", prompt: "hi", max_tokens: 2 }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(NotFoundError);
    expect((refused as InstanceType<typeof NotFoundError>).message).toBe("404 The model 'Team-Model-Q8' does not exist");
    const anonymous = new OpenAI({ baseURL: `${origin}/v1`, apiKey: "none", maxRetries: 0 });
    await expect(anonymous.chat.completions.create({ model: "Team-Model-Q8", messages: [{ role: "user", content: "hi" }], max_tokens: 2 })).rejects.toBeInstanceOf(NotFoundError);
    // The folder's files stay served to every caller.
    expect((await asB.completions.create({ model: RANDOM_DEMO_MODEL, prompt: "hi", max_tokens: 2 })).usage?.completion_tokens).toBe(2);

    // A key naming workspace A without A's MAC is refused outright.
    const forged = `assay-ws-${workspaceId}.${keyB.split(".").pop()}`;
    const forgedAnswer = await fetch(`${origin}/v1/models`, { headers: { authorization: `Bearer ${forged}` } });
    expect(forgedAnswer.status).toBe(401);

    const pageB = await catalog.listLocalModels(otherWorkspaceId, "owner");
    expect(pageB.models.map((model) => model.name)).toEqual([NGRAM_DEMO_MODEL, RANDOM_DEMO_MODEL]);
    const measured = await rejection(catalog.measureLocalModel(otherWorkspaceId, "owner", { name: "Team-Model-Q8" }));
    expect([measured.code, measured.message]).toEqual(["not_found", 'No local model named "Team-Model-Q8" in this workspace.']);
  });

  it("a registration outside the allowed folders (made before the rule) is flagged and not served", async () => {
    const stale = path.join(outside, "stale.gguf");
    await writeRandomModel(stale, { seed: 24 });
    const row = await db.localModel.create({ data: { workspaceId, name: "stale-outside", path: stale, sizeBytes: 1n } });
    try {
      const listed = (await catalog.listLocalModels(workspaceId, "owner")).models.find((model) => model.name === "stale-outside");
      expect(listed?.problem).toBe(
        `Models can be registered only from ${modelsDir}, ${elsewhere}. The model server does not serve this file; remove it, or add its folder to ASSAY_MODEL_PATHS.`,
      );
      expect(listed?.architecture).toBeNull();
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: await localModelKey(workspaceId), maxRetries: 0 });
      await expect(client.completions.create({ model: "stale-outside", prompt: "hi", max_tokens: 2 })).rejects.toBeInstanceOf(NotFoundError);
      expect((await rejection(catalog.measureLocalModel(workspaceId, "owner", { name: "stale-outside" }))).code).toBe("bad_request");
    } finally {
      await db.localModel.delete({ where: { id: row.id } });
    }
  });

  it("members who do not manage local models see file names, not absolute paths", async () => {
    for (const role of ["viewer", "editor"] as const) {
      const page = await catalog.listLocalModels(workspaceId, role);
      expect([page.modelsDir, page.allowedFolders]).toEqual([null, null]);
      expect(page.models.map((model) => [model.file, model.path])).toEqual([
        [`${NGRAM_DEMO_MODEL}.gguf`, null],
        [`${RANDOM_DEMO_MODEL}.gguf`, null],
        ["Team Model Q8.gguf", null],
      ]);
      expect(JSON.stringify(page)).not.toContain(os.tmpdir());
    }
    const admin = await catalog.listLocalModels(workspaceId, "admin");
    expect(admin.modelsDir).toBe(modelsDir);
    expect(admin.allowedFolders).toEqual([modelsDir, elsewhere]);
    expect(admin.models.map((model) => model.path)).toEqual([
      path.join(modelsDir, `${NGRAM_DEMO_MODEL}.gguf`),
      path.join(modelsDir, `${RANDOM_DEMO_MODEL}.gguf`),
      teamPath(),
    ]);
  });

  it("refuses the same file twice and a taken name, in this or another workspace", async () => {
    const again = await rejection(catalog.registerLocalModel(workspaceId, { path: teamPath(), name: "team-copy" }));
    expect(again.message).toBe('This file is already registered as "Team-Model-Q8".');
    const otherFile = path.join(elsewhere, "other.gguf");
    await writeRandomModel(otherFile, { seed: 22 });
    expect((await rejection(catalog.registerLocalModel(workspaceId, { path: otherFile, name: "Team-Model-Q8" }))).code).toBe("conflict");
    const across = await rejection(catalog.registerLocalModel(otherWorkspaceId, { path: otherFile, name: "Team-Model-Q8" }));
    expect(across.message).toContain("already serves another file");
    // The same file under the same name is fine in another workspace: it is one model on the server.
    await expect(catalog.registerLocalModel(otherWorkspaceId, { path: teamPath(), name: "Team-Model-Q8" })).resolves.toMatchObject({ name: "Team-Model-Q8" });
  });

  it("measures a model's speed through the server and stores it, for registered and folder models", async () => {
    const registered = await catalog.measureLocalModel(workspaceId, "owner", { name: "Team-Model-Q8" });
    expect(registered.tokensPerSecond).toBeGreaterThan(0);
    expect(registered.runs).toBe(2);
    expect(registered.completionTokens).toBe(64);
    expect((await db.localModel.findFirstOrThrow({ where: { workspaceId, name: "Team-Model-Q8" } })).tokensPerSecond).toBeCloseTo(registered.tokensPerSecond, 6);

    const folder = await catalog.measureLocalModel(workspaceId, "owner", { name: NGRAM_DEMO_MODEL });
    const page = await catalog.listLocalModels(workspaceId, "owner");
    const listed = page.models.find((model) => model.name === NGRAM_DEMO_MODEL)!;
    expect(listed).toMatchObject({ source: "folder", tokensPerSecond: expect.closeTo(folder.tokensPerSecond, 6), live: { state: "loaded", completed: 3 } });
    expect(listed.id).not.toBeNull();
    expect(page.models.filter((model) => model.name === NGRAM_DEMO_MODEL)).toHaveLength(1);
    expect(listed.live?.meanTokensPerSecond).toBeGreaterThan(0);

    expect((await rejection(catalog.removeLocalModel(workspaceId, listed.id!))).message).toContain("delete the file");
    expect((await rejection(catalog.measureLocalModel(workspaceId, "owner", { name: "nope" }))).code).toBe("not_found");
  });

  it("removes a registration (not the file) and the server stops serving it", async () => {
    const row = await db.localModel.findFirstOrThrow({ where: { workspaceId, name: "Team-Model-Q8" } });
    await catalog.removeLocalModel(workspaceId, row.id);
    expect(await db.localModel.findFirst({ where: { id: row.id } })).toBeNull();
    expect(await db.connectionModel.findFirst({ where: { connectionId, name: "Team-Model-Q8" } })).toBeNull();
    expect(await readGgufInfo(teamPath())).toMatchObject({ architecture: "llama" });
    // Still registered in the other workspace, so still served; gone from this workspace's list.
    expect((await catalog.listLocalModels(workspaceId, "owner")).models.map((model) => model.name)).not.toContain("Team-Model-Q8");
    const other = await db.localModel.findFirstOrThrow({ where: { workspaceId: otherWorkspaceId, name: "Team-Model-Q8" } });
    await catalog.removeLocalModel(otherWorkspaceId, other.id);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: await localModelKey(otherWorkspaceId), maxRetries: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(client.completions.create({ model: "Team-Model-Q8", prompt: "hi", max_tokens: 2 })).rejects.toBeInstanceOf(NotFoundError);
    expect((await rejection(catalog.removeLocalModel(workspaceId, row.id))).code).toBe("not_found");
  });

  it("shows a stopped server as such, and measuring then says how to start it", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    await db.connection.update({ where: { id: connectionId }, data: { baseUrl: `http://127.0.0.1:${port}/v1` } });
    try {
      const page = await catalog.listLocalModels(workspaceId, "owner");
      expect(page.server).toMatchObject({ reachable: false, url: `http://127.0.0.1:${port}` });
      expect(page.server.message).toContain("ECONNREFUSED");
      expect(page.models.every((model) => model.live === null)).toBe(true);
      const error = await rejection(catalog.measureLocalModel(workspaceId, "owner", { name: RANDOM_DEMO_MODEL }));
      expect(error.code).toBe("unavailable");
      expect(error.message).toContain("npm start");
    } finally {
      await db.connection.update({ where: { id: connectionId }, data: { baseUrl: `${server.url}/v1` } });
    }
  });
});
