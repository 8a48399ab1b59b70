import { notifyGatewayChange } from "../gateway/notify.ts";
import { recordActivity } from "../activity/record.ts";
import { db, Prisma } from "../db.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import {
  authorsById,
  labelInclude,
  toLabelRecord,
  toVersionRecord,
  versionLabelsInclude,
  type PromptDetail,
  type PromptSummary,
  type PromptVersionRecord,
  type PromptVersionSummary,
} from "./records.ts";
import { assertValidPrompt } from "./render.ts";
import { responseSchemaProblem } from "./response-schema.ts";
import {
  createPromptInput,
  promptVersionInput,
  updatePromptInput,
  type CreatePromptInputRaw,
  type PromptVersionInput,
  type PromptVersionInputRaw,
  type UpdatePromptInput,
} from "./schema.ts";

// Prompts and their immutable, numbered versions. There is deliberately no function that changes a version: a new
// version is saved instead, so every call, run and label keeps pointing at exactly what was sent.

export type { PromptDetail, PromptSummary, PromptVersionRecord, PromptVersionSummary } from "./records.ts";
export { deleteLabel, moveLabel, parseVersionRef, resolveVersionRef, type ResolvedVersion, type VersionRef } from "./labels.ts";

/** The first version of a prompt created without one: zero-shot, one input. */
export const STARTER_VERSION: PromptVersionInput = {
  messages: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "{{ input }}" },
  ],
  examples: [],
  counterexamples: [],
  testInputs: [],
  exampleMode: "chat",
  params: {},
  commitMessage: "First version",
};

// Saves of the same prompt are serialized by a row lock (below), so a unique violation on (promptId, number) can only
// come from an unusual interleaving; a few retries are plenty.
const SAVE_ATTEMPTS = 5;

/** Everything a version must pass before anything is written. Throws AppError("bad_request"). */
async function checkVersionContent(workspaceId: string, version: PromptVersionInput): Promise<void> {
  assertValidPrompt(version);
  const format = version.params.responseFormat;
  if (format?.type === "json_schema") {
    const problem = responseSchemaProblem(format.schema);
    if (problem) {
      const path = "params.responseFormat.schema";
      throw new AppError("bad_request", "version", `${path}: not a valid JSON Schema: ${problem}`, [{ path, message: problem }]);
    }
  }
  if (version.connectionId) {
    const connection = await db.connection.findFirst({ where: { id: version.connectionId, workspaceId }, select: { id: true } });
    if (!connection) {
      throw new AppError("bad_request", "version", "The default connection does not exist in this workspace", [
        { path: "connectionId", message: "Unknown connection" },
      ]);
    }
  }
}

function versionData(version: PromptVersionInput, number: number, authorId: string) {
  return {
    number,
    messages: version.messages as Prisma.InputJsonValue,
    examples: version.examples as Prisma.InputJsonValue,
    counterexamples: version.counterexamples as Prisma.InputJsonValue,
    testInputs: version.testInputs as Prisma.InputJsonValue,
    exampleMode: version.exampleMode,
    connectionId: version.connectionId ?? null,
    model: version.model ?? null,
    params: version.params as Prisma.InputJsonValue,
    commitMessage: version.commitMessage,
    authorId,
  };
}

/** The feed's "version.saved" line, written in the transaction that saves the version (one insert). */
async function recordVersionSaved(
  transaction: Prisma.TransactionClient,
  saved: { workspaceId: string; promptId: string; userId: string; versionId: string | null; number: number; version: PromptVersionInput },
): Promise<void> {
  await recordActivity(
    {
      workspaceId: saved.workspaceId,
      kind: "version.saved",
      actorId: saved.userId,
      promptId: saved.promptId,
      data: { versionId: saved.versionId, number: saved.number, commitMessage: saved.version.commitMessage },
    },
    transaction,
  );
}

function nameTaken(name: string): AppError {
  const message = `A prompt named "${name}" already exists in this workspace`;
  return new AppError("conflict", "prompt", message, [{ path: "name", message }]);
}

function promptNotFound(idOrName: string): AppError {
  return new AppError("not_found", "prompt", `No prompt "${idOrName}" in this workspace`);
}

const summaryInclude = {
  versions: { orderBy: { number: "desc" }, take: 1, select: { id: true, number: true, createdAt: true } },
  labels: labelInclude,
} as const;

type SummaryRow = Prisma.PromptGetPayload<{ include: typeof summaryInclude }>;

function toSummary(row: SummaryRow): PromptSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    latestVersion: row.versions[0] ?? null,
    labels: row.labels.map(toLabelRecord),
  };
}

/** Every prompt in the workspace, most recently changed first. */
export async function listPrompts(workspaceId: string): Promise<PromptSummary[]> {
  const rows = await db.prompt.findMany({ where: { workspaceId }, orderBy: { updatedAt: "desc" }, include: summaryInclude });
  return rows.map(toSummary);
}

/** A prompt by id or by name, with its labels and latest version. */
export async function getPrompt(workspaceId: string, idOrName: string): Promise<PromptDetail> {
  const row =
    (await db.prompt.findFirst({ where: { workspaceId, id: idOrName }, include: summaryInclude })) ??
    (await db.prompt.findFirst({ where: { workspaceId, name: idOrName }, include: summaryInclude }));
  const latestId = row?.versions[0]?.id;
  if (!row || !latestId) throw promptNotFound(idOrName);
  return { ...toSummary(row), latest: await getVersion(workspaceId, row.id, latestId) };
}

/** Creates the prompt and its version 1 (the starter version when `input.version` is absent) atomically. */
export async function createPrompt(workspaceId: string, userId: string, input: CreatePromptInputRaw): Promise<PromptDetail> {
  const { name, description, version = STARTER_VERSION } = createPromptInput.parse(input);
  await checkVersionContent(workspaceId, version);
  let id: string;
  try {
    // One transaction: no prompt without its first version, and no first version without its "version.saved" event.
    id = await db.$transaction(async (transaction) => {
      const created = await transaction.prompt.create({
        data: { workspaceId, name, description, versions: { create: versionData(version, 1, userId) } },
        select: { id: true, versions: { select: { id: true } } },
      });
      await recordVersionSaved(transaction, { workspaceId, promptId: created.id, userId, versionId: created.versions[0]?.id ?? null, number: 1, version });
      return created.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(name);
    throw error;
  }
  return getPrompt(workspaceId, id);
}

/** Renames a prompt or changes its description (versions are untouched). */
export async function updatePrompt(workspaceId: string, promptId: string, input: UpdatePromptInput): Promise<PromptDetail> {
  const changes = updatePromptInput.parse(input);
  try {
    const { count } = await db.prompt.updateMany({ where: { id: promptId, workspaceId }, data: changes });
    if (count === 0) throw promptNotFound(promptId);
    // A renamed prompt is a renamed gateway model.
    if (changes.name) await notifyGatewayChange(workspaceId, "label");
  } catch (error) {
    if (isUniqueViolation(error) && changes.name) throw nameTaken(changes.name);
    throw error;
  }
  return getPrompt(workspaceId, promptId);
}

/**
 * Saves a new version numbered max + 1. Templates, examples and the response schema are checked first: when invalid,
 * nothing is written. Concurrent saves get distinct numbers: each transaction locks the prompt row (by touching its
 * updatedAt) before reading the maximum, and a unique violation is retried.
 */
export async function createVersion(
  workspaceId: string,
  promptId: string,
  userId: string,
  input: PromptVersionInputRaw,
): Promise<PromptVersionRecord> {
  const version = promptVersionInput.parse(input);
  await checkVersionContent(workspaceId, version);
  for (let attempt = 1; ; attempt++) {
    try {
      const id = await db.$transaction(
        async (transaction) => {
          const locked = await transaction.prompt.updateMany({ where: { id: promptId, workspaceId }, data: { updatedAt: new Date() } });
          if (locked.count === 0) throw promptNotFound(promptId);
          const { _max } = await transaction.promptVersion.aggregate({ where: { promptId }, _max: { number: true } });
          const number = (_max.number ?? 0) + 1;
          const created = await transaction.promptVersion.create({
            data: { promptId, ...versionData(version, number, userId) },
            select: { id: true },
          });
          await recordVersionSaved(transaction, { workspaceId, promptId, userId, versionId: created.id, number, version });
          return created.id;
        },
        // Saves queue on the row lock; give the queue time rather than failing a save after Prisma's 2 s default.
        { maxWait: 10_000, timeout: 20_000 },
      );
      return await getVersion(workspaceId, promptId, id);
    } catch (error) {
      if (isUniqueViolation(error) && attempt < SAVE_ATTEMPTS) continue;
      throw error;
    }
  }
}

/** One version of a prompt, by id or number. */
export async function getVersion(workspaceId: string, promptId: string, versionIdOrNumber: string | number): Promise<PromptVersionRecord> {
  const row = await db.promptVersion.findFirst({
    where: {
      promptId,
      prompt: { workspaceId },
      ...(typeof versionIdOrNumber === "number" ? { number: versionIdOrNumber } : { id: versionIdOrNumber }),
    },
    include: versionLabelsInclude,
  });
  if (!row) throw new AppError("not_found", "version", `No version ${versionIdOrNumber} of this prompt`);
  return toVersionRecord(row, await authorsById(db, [row.authorId]));
}

/** A version by its id alone (the playground and runs know only the version id). */
export async function getVersionById(workspaceId: string, versionId: string): Promise<PromptVersionRecord> {
  const row = await db.promptVersion.findFirst({ where: { id: versionId, prompt: { workspaceId } }, include: versionLabelsInclude });
  if (!row) throw new AppError("not_found", "version", "No such prompt version in this workspace");
  return toVersionRecord(row, await authorsById(db, [row.authorId]));
}

/** A prompt's history, newest first: number, author, time, commit message, labels. */
export async function listVersions(workspaceId: string, promptId: string): Promise<PromptVersionSummary[]> {
  const prompt = await db.prompt.findFirst({ where: { id: promptId, workspaceId }, select: { id: true } });
  if (!prompt) throw promptNotFound(promptId);
  const rows = await db.promptVersion.findMany({
    where: { promptId },
    orderBy: { number: "desc" },
    select: { id: true, number: true, commitMessage: true, model: true, createdAt: true, authorId: true, ...versionLabelsInclude },
  });
  const authors = await authorsById(
    db,
    rows.map((row) => row.authorId),
  );
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    commitMessage: row.commitMessage,
    model: row.model,
    createdAt: row.createdAt,
    author: row.authorId ? (authors.get(row.authorId) ?? null) : null,
    labels: row.labels.map((label) => label.name),
  }));
}
