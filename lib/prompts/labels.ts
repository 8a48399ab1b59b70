import { db } from "../db.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import { authorsById, toLabelRecord, toVersionRecord, versionLabelsInclude, type PromptLabelRecord, type PromptVersionRecord } from "./records.ts";
import { moveLabelInput, RESERVED_LABEL } from "./schema.ts";

// Labels ("production", "staging", any name) are movable pointers to versions, and references like
// "summarize@production" are how the CLI, runs and releases name a version without knowing its id.

/**
 * Points label `name` of a prompt at a version, creating the label if needed. The version must belong to the prompt.
 */
export async function moveLabel(
  workspaceId: string,
  promptId: string,
  name: string,
  versionId: string,
  userId: string,
): Promise<PromptLabelRecord> {
  const input = moveLabelInput.parse({ name, versionId });
  const version = await db.promptVersion.findFirst({
    where: { id: input.versionId, promptId, prompt: { workspaceId } },
    select: { id: true },
  });
  if (!version) throw new AppError("not_found", "version", "No such version of this prompt");
  const upsert = () =>
    db.promptLabel.upsert({
      where: { promptId_name: { promptId, name: input.name } },
      create: { promptId, name: input.name, versionId: input.versionId, updatedById: userId },
      update: { versionId: input.versionId, updatedById: userId },
      include: { version: { select: { number: true } } },
    });
  try {
    return toLabelRecord(await upsert());
  } catch (error) {
    // Two people creating the same label at once: the loser's create hits the unique index; updating is now right.
    if (isUniqueViolation(error)) return toLabelRecord(await upsert());
    throw error;
  }
}

export async function deleteLabel(workspaceId: string, promptId: string, name: string): Promise<void> {
  const { count } = await db.promptLabel.deleteMany({ where: { promptId, name, prompt: { workspaceId } } });
  if (count === 0) throw new AppError("not_found", "label", `No label "${name}" on this prompt`);
}

export type VersionRef =
  | { name: string; kind: "latest" }
  | { name: string; kind: "number"; number: number }
  | { name: string; kind: "label"; label: string };

/** "name" and "name@latest" → latest; "name@3" → version 3; "name@production" → the version the label points at. */
export function parseVersionRef(ref: string): VersionRef {
  const text = ref.trim();
  const at = text.indexOf("@");
  const name = (at < 0 ? text : text.slice(0, at)).trim();
  const suffix = at < 0 ? RESERVED_LABEL : text.slice(at + 1).trim();
  if (name === "" || suffix === "") {
    throw new AppError("bad_request", "reference", `"${ref}" is not a prompt reference: use name, name@3 or name@label`);
  }
  if (suffix === RESERVED_LABEL) return { name, kind: "latest" };
  if (/^\d+$/.test(suffix)) return { name, kind: "number", number: Number(suffix) };
  return { name, kind: "label", label: suffix };
}

export interface ResolvedVersion {
  prompt: { id: string; name: string };
  version: PromptVersionRecord;
}

export async function resolveVersionRef(workspaceId: string, ref: string): Promise<ResolvedVersion> {
  const parsed = parseVersionRef(ref);
  const prompt = await db.prompt.findFirst({ where: { workspaceId, name: parsed.name }, select: { id: true, name: true } });
  if (!prompt) throw new AppError("not_found", "prompt", `No prompt named "${parsed.name}" in this workspace`);

  let versionId: string | undefined;
  if (parsed.kind === "label") {
    const label = await db.promptLabel.findUnique({ where: { promptId_name: { promptId: prompt.id, name: parsed.label } } });
    if (!label) throw new AppError("not_found", "label", `Prompt "${prompt.name}" has no label "${parsed.label}"`);
    versionId = label.versionId;
  }
  const row = await db.promptVersion.findFirst({
    where: {
      promptId: prompt.id,
      ...(versionId ? { id: versionId } : {}),
      ...(parsed.kind === "number" ? { number: parsed.number } : {}),
    },
    orderBy: { number: "desc" },
    include: versionLabelsInclude,
  });
  if (!row) {
    const what = parsed.kind === "number" ? `version ${parsed.number}` : "versions";
    throw new AppError("not_found", "version", `Prompt "${prompt.name}" has no ${what}`);
  }
  return { prompt, version: toVersionRecord(row, await authorsById(db, [row.authorId])) };
}
