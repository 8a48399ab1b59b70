import { notifyGatewayChange } from "../gateway/notify.ts";
import { db, Prisma } from "../db.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import { listModels } from "../llm/list-models.ts";
import type { ModelTarget } from "../llm/types.ts";
import { assertOutboundUrlAllowed } from "../net/outbound-policy.ts";
import { decryptSecret, encryptSecret, loadMasterKey } from "./crypto.ts";
import { originOf } from "./origin.ts";
import { localModelKeyFor } from "../local-models/workspace-key.ts";
import { env, localModelServerUrl, modelPortConfigured } from "../env.ts";
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
// resolveTarget/testing/importModels, on the server; what leaves this module for the browser is a PublicConnection.
// A stored key is bound to the origin (scheme + host + port) it was saved for, recorded in apiKeyOrigin and sealed
// into its ciphertext: it is only ever sent there (keyFor), and moving the base URL elsewhere without a new key
// removes it (updateConnection).

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
  /** the only origin the stored key is sent to; null when there is no key */
  apiKeyOrigin: string | null;
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
    apiKeyOrigin: row.apiKeyCipher === null ? null : keyOriginOf(row),
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

interface KeyColumns {
  apiKeyCipher: string | null;
  apiKeyLast4: string | null;
  apiKeyOrigin: string | null;
}

const NO_KEY: KeyColumns = { apiKeyCipher: null, apiKeyLast4: null, apiKeyOrigin: null };

/** The key's columns, sealed for this workspace, this connection and the origin of `baseUrl`. */
function sealKey(
  apiKey: string,
  masterKey: Buffer,
  record: { workspaceId: string; connectionId: string; baseUrl: string },
): KeyColumns {
  const origin = originOf(record.baseUrl);
  return {
    apiKeyCipher: encryptSecret(apiKey, masterKey, { workspaceId: record.workspaceId, connectionId: record.connectionId, origin }),
    apiKeyLast4: apiKey.length >= MIN_KEY_LENGTH_TO_SHOW_LAST4 ? apiKey.slice(-4) : null,
    apiKeyOrigin: origin,
  };
}

type KeyRow = Pick<ConnectionRow, "id" | "workspaceId" | "name" | "baseUrl" | "apiKeyCipher" | "apiKeyOrigin">;

/**
 * The origin the stored key was saved for. Rows written before apiKeyOrigin existed (v1 payloads, until the start
 * step re-encrypts them) were saved for their base URL, which could not move without the key until now.
 */
function keyOriginOf(row: Pick<ConnectionRow, "baseUrl" | "apiKeyOrigin">): string {
  return row.apiKeyOrigin ?? originOf(row.baseUrl);
}

async function openKey(row: KeyRow): Promise<string> {
  if (row.apiKeyCipher === null) throw new Error(`openKey: connection ${row.id} has no stored key`);
  const binding = { workspaceId: row.workspaceId, connectionId: row.id, origin: keyOriginOf(row) };
  return decryptSecret(row.apiKeyCipher, await loadMasterKey(), binding, `The stored API key of "${row.name}"`);
}

/**
 * The stored key for a request to `destination`, or the reason it may not go there. The origin is compared before
 * anything is decrypted, so a refused destination never has the plain key in memory at all.
 */
async function keyFor(
  row: KeyRow,
  destination: string,
): Promise<{ apiKey: string | null; refused: null } | { apiKey: null; refused: { from: string; to: string } }> {
  if (row.apiKeyCipher === null) return { apiKey: null, refused: null };
  const from = keyOriginOf(row);
  const to = originOf(destination);
  if (from !== to) return { apiKey: null, refused: { from, to } };
  return { apiKey: await openKey(row), refused: null };
}

function keyElsewhere(row: KeyRow, refused: { from: string; to: string }): AppError {
  return new AppError(
    "key_unreadable",
    "connection",
    `The stored API key of "${row.name}" was saved for ${refused.from}, but the connection now points to ${refused.to}: ` +
      "enter the key again.",
    [{ path: "apiKey", message: "Enter the key again for this origin" }],
  );
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
  await assertOutboundUrlAllowed(data.baseUrl);
  const masterKey = data.apiKey ? await loadMasterKey() : null;
  try {
    // The key is sealed for the connection's id, which exists only once the row does: insert, then seal, in one
    // transaction so no connection is ever seen without the key it was created with.
    const row = await db.$transaction(async (transaction) => {
      const { id } = await transaction.connection.create({
        data: {
          workspaceId,
          name: data.name,
          kind: data.kind,
          preset: data.preset ?? null,
          baseUrl: data.baseUrl,
          concurrency: data.concurrency,
          rpm: data.rpm ?? null,
          tpm: data.tpm ?? null,
          timeoutMs: data.timeoutMs,
          models: { createMany: { data: modelRows(data.models) } },
        },
        select: { id: true },
      });
      if (data.apiKey && masterKey) {
        await transaction.connection.update({
          where: { id },
          data: sealKey(data.apiKey, masterKey, { workspaceId, connectionId: id, baseUrl: data.baseUrl }),
        });
      }
      return transaction.connection.findUniqueOrThrow({ where: { id }, include: withModels });
    });
    return toPublic(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(data.name);
    throw error;
  }
}

export interface UpdatedConnection extends PublicConnection {
  /** true when the stored key was removed because the base URL moved to another origin without a new key */
  keyCleared: boolean;
  /** what the user should be told about this save, in plain words */
  notices: string[];
}

/**
 * Changes what is given. `apiKey`: omitted keeps the stored key, "" or null removes it. `models` replaces the list.
 * A base URL on another origin with `apiKey` omitted removes the stored key (it was saved for the old origin only)
 * and says so in `notices`; a new path on the same origin keeps it.
 */
export async function updateConnection(
  workspaceId: string,
  id: string,
  input: UpdateConnectionInput,
): Promise<UpdatedConnection> {
  const data = updateConnectionInput.parse(input);
  if (data.baseUrl !== undefined) await assertOutboundUrlAllowed(data.baseUrl);
  const masterKey = data.apiKey ? await loadMasterKey() : null;
  try {
    return await db.$transaction(async (transaction) => {
      // Locked: the decision to keep, reseal or remove the key is made on the base URL this update replaces.
      const locked = await transaction.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Connection" WHERE id = ${id} AND "workspaceId" = ${workspaceId} FOR UPDATE`;
      const current = locked.length > 0 ? await transaction.connection.findUnique({ where: { id } }) : null;
      if (!current) throw new AppError("not_found", "connection", "This connection does not exist in this workspace.");
      const baseUrl = data.baseUrl ?? current.baseUrl;
      const changes: Prisma.ConnectionUpdateInput = {};
      if (data.name !== undefined) changes.name = data.name;
      if (data.kind !== undefined) changes.kind = data.kind;
      if (data.preset !== undefined) changes.preset = data.preset;
      if (data.baseUrl !== undefined) changes.baseUrl = data.baseUrl;
      const notices: string[] = [];
      let keyCleared = false;
      if (data.apiKey !== undefined) {
        Object.assign(changes, data.apiKey && masterKey ? sealKey(data.apiKey, masterKey, { workspaceId, connectionId: id, baseUrl }) : NO_KEY);
      } else if (current.apiKeyCipher !== null && keyOriginOf(current) !== originOf(baseUrl)) {
        Object.assign(changes, NO_KEY);
        keyCleared = true;
        notices.push(
          `The stored API key was removed: it was saved for ${keyOriginOf(current)}, and the base URL now points to ` +
            `${originOf(baseUrl)}. Type the key again to use this connection.`,
        );
      }
      if (data.concurrency !== undefined) changes.concurrency = data.concurrency;
      if (data.rpm !== undefined) changes.rpm = data.rpm;
      if (data.tpm !== undefined) changes.tpm = data.tpm;
      if (data.timeoutMs !== undefined) changes.timeoutMs = data.timeoutMs;
      await transaction.connection.update({ where: { id }, data: changes });
      if (data.models !== undefined) await replaceModels(transaction, id, data.models);
      const row = await transaction.connection.findUniqueOrThrow({ where: { id }, include: withModels });
      // The gateway holds resolved targets (base URL, key, limits, prices) in memory: it reloads them on commit.
      await notifyGatewayChange(workspaceId, "connection", transaction);
      return { ...toPublic(row), keyCleared, notices };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(data.name ?? "");
    throw error;
  }
}

export async function deleteConnection(workspaceId: string, id: string): Promise<void> {
  // Past calls keep the connection's name (Call.connectionName) and lose only the link.
  const { count } = await db.connection.deleteMany({ where: { id, workspaceId } });
  if (count === 0) throw new AppError("not_found", "connection", "This connection does not exist in this workspace.");
  await notifyGatewayChange(workspaceId, "connection");
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
    await notifyGatewayChange(workspaceId, "connection", transaction);
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
  const key = await keyFor(row, row.baseUrl);
  if (key.refused) throw keyElsewhere(row, key.refused);
  // The built-in local connection identifies its workspace to the model server, which then lists its registrations.
  const apiKey = key.apiKey ?? (row.kind === "local" ? await localModelKeyFor(workspaceId, row.baseUrl) : null);
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
 * (ASSAY_MODEL_PORT, or ASSAY_MODEL_URL when it runs elsewhere), not the one it had when the workspace was seeded.
 */
function effectiveBaseUrl(row: { kind: ConnectionKind; baseUrl: string }): string {
  if (row.kind === "local" && modelPortConfigured) return localModelServerUrl();
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
  const baseURL = effectiveBaseUrl(row);
  const key = await keyFor(row, baseURL);
  // The built-in local connection follows this install's own model server wherever its port moves; that server
  // wants no key, so a key saved for another origin is left out rather than sent to it. Any other connection whose
  // key does not belong to its origin is refused (only a database edit can get there).
  if (key.refused && row.kind !== "local") throw keyElsewhere(row, key.refused);
  return {
    baseURL,
    // The built-in local connection sends its workspace's model-server key: registered models are served only with it.
    apiKey: key.apiKey ?? (row.kind === "local" ? await localModelKeyFor(workspaceId, baseURL) : null),
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
 * with the stored key of `connectionId` — only when `baseUrl` is on the origin that key was saved for. Anything else
 * would let whoever may test a connection send its key to a server of their choosing.
 */
export async function testConnectionSettings(workspaceId: string, input: TestConnectionInput): Promise<ConnectionTestResult> {
  const data = testConnectionInput.parse(input);
  await assertOutboundUrlAllowed(data.baseUrl);
  let apiKey = data.apiKey || null;
  if (data.apiKey === undefined && data.connectionId) {
    const row = await findRow(workspaceId, data.connectionId);
    const key = await keyFor(row, data.baseUrl);
    if (key.refused) {
      throw new AppError(
        "bad_request",
        "connection",
        `This URL's origin differs from the one the key was saved for (${key.refused.from} → ${key.refused.to}): ` +
          "type the key again to test it.",
        [{ path: "apiKey", message: `Type the key again: the stored one is only sent to ${key.refused.from}` }],
      );
    }
    apiKey = key.apiKey;
  }
  return testConnection({ baseURL: data.baseUrl, apiKey, timeoutMs: data.timeoutMs });
}
