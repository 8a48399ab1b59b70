import { notifyGatewayChange } from "../gateway/notify.ts";
import { recordActivity } from "../activity/record.ts";
import { db } from "../db.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import { gateRefusal, labelReadiness } from "../reviews/gate.ts";
import { authorsById, toLabelRecord, toVersionRecord, versionLabelsInclude, type PromptLabelRecord, type PromptVersionRecord } from "./records.ts";
import { moveLabelInput, RESERVED_LABEL } from "./schema.ts";

// Labels ("production", "staging", any name) are movable pointers to versions, and references like
// "summarize@production" are how the CLI, runs and releases name a version without knowing its id.
// Who may move which label is the caller's check (labelAction in lib/auth/permissions.ts); whether the version is
// approved enough for a protected label is checked here, in the transaction that moves it and writes the audit row.

/**
 * Points label `name` of a prompt at a version, creating the label if needed. The version must belong to the prompt.
 * A protected label (Workspace.protectedLabels) needs that many approvals of the version from people other than its
 * author, or AppError("conflict") names what is missing. The move and its `label.moved` audit row commit together.
 */
export async function moveLabel(
  workspaceId: string,
  promptId: string,
  name: string,
  versionId: string,
  userId: string,
): Promise<PromptLabelRecord> {
  const input = moveLabelInput.parse({ name, versionId });
  const move = () =>
    db.$transaction(async (transaction) => {
      const readiness = await labelReadiness(workspaceId, promptId, input.name, input.versionId, transaction);
      const before = await transaction.promptLabel.findUnique({
        where: { promptId_name: { promptId, name: input.name } },
        include: { version: { select: { number: true } } },
      });
      // Already there: nothing moves, so nothing is gated or audited.
      if (before?.versionId === input.versionId) return toLabelRecord(before);
      if (!readiness.ready) throw gateRefusal(readiness);
      const row = await transaction.promptLabel.upsert({
        where: { promptId_name: { promptId, name: input.name } },
        create: { promptId, name: input.name, versionId: input.versionId, updatedById: userId },
        update: { versionId: input.versionId, updatedById: userId },
        include: { version: { select: { number: true } } },
      });
      await recordActivity(
        {
          workspaceId,
          kind: "label.moved",
          actorId: userId,
          promptId,
          data: {
            label: input.name,
            fromVersionId: before?.versionId ?? null,
            fromNumber: before?.version.number ?? null,
            toVersionId: input.versionId,
            toNumber: readiness.versionNumber,
            reviewId: readiness.reviewId,
            protected: readiness.protected,
            approvals: readiness.approvers.map((approver) => approver.id),
          },
        },
        transaction,
      );
      // The gateway routes by label: every replica reloads this workspace's plan once the move commits.
      await notifyGatewayChange(workspaceId, "label", transaction);
      return toLabelRecord(row);
    });
  try {
    return await move();
  } catch (error) {
    // Two people creating the same label at once: the loser's create hits the unique index; moving again updates it.
    if (isUniqueViolation(error)) return move();
    throw error;
  }
}

/** Removes a label (its `label.removed` audit row in the same transaction). Removing needs no approvals: nothing new ships. */
export async function deleteLabel(workspaceId: string, promptId: string, name: string, userId: string | null): Promise<void> {
  await db.$transaction(async (transaction) => {
    const label = await transaction.promptLabel.findFirst({
      where: { promptId, name, prompt: { workspaceId } },
      include: { version: { select: { number: true } } },
    });
    if (!label) throw new AppError("not_found", "label", `No label "${name}" on this prompt`);
    await transaction.promptLabel.delete({ where: { id: label.id } });
    await notifyGatewayChange(workspaceId, "label", transaction);
    await recordActivity(
      {
        workspaceId,
        kind: "label.removed",
        actorId: userId,
        promptId,
        data: { label: name, fromVersionId: label.versionId, fromNumber: label.version.number, toVersionId: null, toNumber: null, reviewId: null },
      },
      transaction,
    );
  });
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
