import { db, Prisma } from "../db.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import { listModels } from "../llm/list-models.ts";
import type { ModelTarget } from "../llm/types.ts";
import { decryptSecret, encryptSecret, loadMasterKey } from "./crypto.ts";
import { localModelKey } from "../local-models/workspace-key.ts";
import { env } from "../env.ts";
import { presetModel, type ConnectionKind } from "./presets.ts";
import {
  connectionModelsInput,
  createConnectionInput,
  testConnectionInput,
  updateConnectionInput,
  type ConnectionModelInput,
  type CreateConnectionInput,
  type TestConnectionInput,
  type UpdateConnectionInput,
} from "./schema.ts";
import { testConnection, type ConnectionTestResult } from "./test-connection.ts";

// Connections of a workspace. API keys are encrypted before they reach the database and decrypted only in
// resolveTarget/testing, on the server; what leaves this module for the browser is a PublicConnection.

export interface PublicConnectionModel {
  id: string;
  name: string;
  contextWindow: number | null;
  inputPricePerM: number | null;
  outputPricePerM: number | null;
}

export interface PublicConnection {
  id: string;
  name: string;
  kind: ConnectionKind;
  preset: string | null;
  baseUrl: string;
  hasKey: boolean;
  /** last 4 characters of the key, null when there is none or it is too short to show any of it */
  apiKeyLast4: string | null;
  concurrency: number;
  rpm: number | null;
  tpm: number | null;
  timeoutMs: number;
  createdAt: Date;
  updatedAt: Date;
  models: PublicConnectionModel[];
}

export interface ResolvedTarget extends ModelTarget {
  timeoutMs: number;
  connectionId: string;
  connectionName: string;
  kind: ConnectionKind;
  prices: { inputPricePerM: number | null; outputPricePerM: number | null };
  contextWindow: number | null;
  concurrency: number;
  rpm: number | null;
  tpm: number | null;
}

const withModels = { models: { orderBy: { name: "asc" } } } satisfies Prisma.ConnectionInclude;
type ConnectionRow = Prisma.ConnectionGetPayload<{ include: typeof withModels }>;

/** Field by field, so a new column (or the cipher) can never slip through to the browser. */
function toPublic(row: ConnectionRow): PublicConnection {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    preset: row.preset,
    baseUrl: row.baseUrl,
    hasKey: row.apiKeyCipher !== null,
    apiKeyLast4: row.apiKeyLast4,
    concurrency: row.concurrency,
    rpm: row.rpm,
    tpm: row.tpm,
    timeoutMs: row.timeoutMs,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    models: row.models.map((model) => ({
      id: model.id,
      name: model.name,
      contextWindow: model.contextWindow,
      inputPricePerM: model.inputPricePerM,
      outputPricePerM: model.outputPricePerM,
    })),
  };
}

// Showing 4 characters of a 6-character key would give most of it away.
const MIN_KEY_LENGTH_TO_SHOW_LAST4 = 12;

async function sealKey(apiKey: string | null | undefined): Promise<{ apiKeyCipher: string | null; apiKeyLast4: string | null }> {
  if (!apiKey) return { apiKeyCipher: null, apiKeyLast4: null };
  const key = await loadMasterKey();
  return {
    apiKeyCipher: encryptSecret(apiKey, key),
    apiKeyLast4: apiKey.length >= MIN_KEY_LENGTH_TO_SHOW_LAST4 ? apiKey.slice(-4) : null,
  };
}

async function openKey(cipher: string | null): Promise<string | null> {
  if (cipher === null) return null;
  return decryptSecret(cipher, await loadMasterKey());
}

function modelRows(models: readonly ConnectionModelInput[]) {
  return models.map((model) => ({
    name: model.name,
    contextWindow: model.contextWindow ?? null,
    inputPricePerM: model.inputPricePerM ?? null,
    outputPricePerM: model.outputPricePerM ?? null,
  }));
}

function conflict(name: string): AppError {
  return new AppError("conflict", "connection", `A connection named "${name}" already exists in this workspace.`, [
    { path: "name", message: "Choose another name" },
  ]);
}

async function findRow(workspaceId: string, id: string): Promise<ConnectionRow> {
  const row = await db.connection.findFirst({ where: { id, workspaceId }, include: withModels });
  if (!row) throw new AppError("not_found", "connection", "This connection does not exist in this workspace.");
  return row;
}

export async function listConnections(workspaceId: string): Promise<PublicConnection[]> {
  const rows = await db.connection.findMany({ where: { workspaceId }, include: withModels, orderBy: { name: "asc" } });
  return rows.map(toPublic);
}

export async function getConnection(workspaceId: string, id: string): Promise<PublicConnection> {
  return toPublic(await findRow(workspaceId, id));
}

export async function createConnection(workspaceId: string, input: CreateConnectionInput): Promise<PublicConnection> {
  const data = createConnectionInput.parse(input);
  const sealed = await sealKey(data.apiKey);
  try {
    const row = await db.connection.create({
      data: {
        workspaceId,
        name: data.name,
        kind: data.kind,
        preset: data.preset ?? null,
        baseUrl: data.baseUrl,
        ...sealed,
        concurrency: data.concurrency,
        rpm: data.rpm ?? null,
        tpm: data.tpm ?? null,
        timeoutMs: data.timeoutMs,
        models: { createMany: { data: modelRows(data.models) } },
      },
      include: withModels,
    });
    return toPublic(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(data.name);
    throw error;
  }
}

/** Changes what is given. `apiKey`: omitted keeps the stored key, "" or null removes it. `models` replaces the list. */
export async function updateConnection(
  workspaceId: string,
  id: string,
  input: UpdateConnectionInput,
): Promise<PublicConnection> {
  const data = updateConnectionInput.parse(input);
  await findRow(workspaceId, id);
  const changes: Prisma.ConnectionUpdateInput = {};
  if (data.name !== undefined) changes.name = data.name;
  if (data.kind !== undefined) changes.kind = data.kind;
  if (data.preset !== undefined) changes.preset = data.preset;
  if (data.baseUrl !== undefined) changes.baseUrl = data.baseUrl;
  if (data.apiKey !== undefined) Object.assign(changes, await sealKey(data.apiKey));
  if (data.concurrency !== undefined) changes.concurrency = data.concurrency;
  if (data.rpm !== undefined) changes.rpm = data.rpm;
  if (data.tpm !== undefined) changes.tpm = data.tpm;
  if (data.timeoutMs !== undefined) changes.timeoutMs = data.timeoutMs;
  try {
    const row = await db.$transaction(async (transaction) => {
      await transaction.connection.update({ where: { id }, data: changes });
      if (data.models !== undefined) await replaceModels(transaction, id, data.models);
      return transaction.connection.findUniqueOrThrow({ where: { id }, include: withModels });
    });
    return toPublic(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(data.name ?? "");
    throw error;
  }
}

export async function deleteConnection(workspaceId: string, id: string): Promise<void> {
  // Past calls keep the connection's name (Call.connectionName) and lose only the link.
  const { count } = await db.connection.deleteMany({ where: { id, workspaceId } });
  if (count === 0) throw new AppError("not_found", "connection", "This connection does not exist in this workspace.");
}

async function replaceModels(
  transaction: Prisma.TransactionClient,
  connectionId: string,
  models: readonly ConnectionModelInput[],
): Promise<void> {
  await transaction.connectionModel.deleteMany({ where: { connectionId } });
  if (models.length > 0) {
    await transaction.connectionModel.createMany({ data: modelRows(models).map((row) => ({ ...row, connectionId })) });
  }
}

/** Replaces the connection's model list in one transaction. */
export async function setModels(
  workspaceId: string,
  id: string,
  models: readonly ConnectionModelInput[],
): Promise<PublicConnection> {
  const parsed = connectionModelsInput.parse(models);
  await findRow(workspaceId, id);
  const row = await db.$transaction(async (transaction) => {
    await replaceModels(transaction, id, parsed);
    await transaction.connection.update({ where: { id }, data: { updatedAt: new Date() } });
    return transaction.connection.findUniqueOrThrow({ where: { id }, include: withModels });
  });
  return toPublic(row);
}

/**
 * Adds the models the server lists at /models that the connection does not have yet, with prices and context
 * windows from the presets when known. Existing rows (and prices the user edited) are left alone.
 */
export async function importModels(
  workspaceId: string,
  id: string,
): Promise<{ added: string[]; connection: PublicConnection }> {
  const row = await findRow(workspaceId, id);
  // The built-in local connection identifies its workspace to the model server, which then lists its registrations.
  const apiKey = (await openKey(row.apiKeyCipher)) ?? (row.kind === "local" ? await localModelKey(workspaceId) : null);
  const offered = await listModels({ baseURL: row.baseUrl, apiKey, timeoutMs: Math.min(row.timeoutMs, 30_000) });
  const known = new Set(row.models.map((model) => model.name));
  const added = offered.filter((name) => !known.has(name));
  if (added.length > 0) {
    await db.connectionModel.createMany({
      data: added.map((name) => {
        const preset = presetModel(row.preset, name);
        return {
          connectionId: id,
          name,
          contextWindow: preset?.contextWindow ?? null,
          inputPricePerM: preset?.inputPricePerM ?? null,
          outputPricePerM: preset?.outputPricePerM ?? null,
        };
      }),
      // Two imports at once must not fail on each other's rows.
      skipDuplicates: true,
    });
  }
  return { added, connection: await getConnection(workspaceId, id) };
}

/**
 * The built-in "Local models" connection follows the port this install's model server listens on now
 * (ASSAY_MODEL_PORT), not the port it had when the workspace was seeded.
 */
function effectiveBaseUrl(row: { kind: ConnectionKind; baseUrl: string }): string {
  if (row.kind === "local" && process.env.ASSAY_MODEL_PORT) return `http://127.0.0.1:${env.ASSAY_MODEL_PORT}/v1`;
  return row.baseUrl;
}

/**
 * Everything needed to call `model` through this connection, key decrypted. A model missing from the connection's
 * list can still be called (users type names); its prices then come from the presets, or stay unknown.
 */
export async function resolveTarget(workspaceId: string, connectionId: string, model: string): Promise<ResolvedTarget> {
  const row = await findRow(workspaceId, connectionId);
  const listed = row.models.find((item) => item.name === model);
  const known = listed ?? presetModel(row.preset, model);
  return {
    baseURL: effectiveBaseUrl(row),
    // The built-in local connection sends its workspace's model-server key: registered models are served only with it.
    apiKey: (await openKey(row.apiKeyCipher)) ?? (row.kind === "local" ? await localModelKey(workspaceId) : null),
    model,
    timeoutMs: row.timeoutMs,
    connectionId: row.id,
    connectionName: row.name,
    kind: row.kind,
    prices: { inputPricePerM: known?.inputPricePerM ?? null, outputPricePerM: known?.outputPricePerM ?? null },
    contextWindow: known?.contextWindow ?? null,
    concurrency: row.concurrency,
    rpm: row.rpm,
    tpm: row.tpm,
  };
}

/**
 * "Test connection" from the form: with the key typed in, or, when the key field was left untouched while editing,
 * with the stored key of `connectionId`.
 */
export async function testConnectionSettings(workspaceId: string, input: TestConnectionInput): Promise<ConnectionTestResult> {
  const data = testConnectionInput.parse(input);
  let apiKey = data.apiKey ?? null;
  if (data.apiKey === undefined && data.connectionId) {
    apiKey = await openKey((await findRow(workspaceId, data.connectionId)).apiKeyCipher);
  }
  return testConnection({ baseURL: data.baseUrl, apiKey: apiKey || null, timeoutMs: data.timeoutMs });
}
