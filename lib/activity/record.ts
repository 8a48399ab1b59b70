import { db, Prisma } from "../db.ts";
import { DISTILLATION_ACTIVITY_KINDS, RELEASE_ACTIVITY_KINDS } from "./types.ts";

// One writer for the activity feed and the audit log (ActivityEvent). Label moves and review decisions are written
// in the same transaction as the change they describe, so the audit log cannot miss one or show one that did not
// happen; other kinds (version saved, run finished) may be written after the fact.

export const ACTIVITY_KINDS = [
  "version.saved",
  "run.started",
  "run.finished",
  "comparison.opened",
  "review.requested",
  "review.rerequested",
  "review.approved",
  "review.changes_requested",
  "review.withdrawn",
  "review.closed",
  "label.moved",
  "label.removed",
  "member.joined",
  "member.role_changed",
  "member.removed",
  "ownership.transferred",
  ...RELEASE_ACTIVITY_KINDS,
  ...DISTILLATION_ACTIVITY_KINDS,
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** The kinds the prompt page's audit timeline shows: who moved which label, who decided which review. */
export const AUDITED_KINDS: readonly ActivityKind[] = ACTIVITY_KINDS.filter((kind) => kind.startsWith("label.") || kind.startsWith("review."));

export interface ActivityInput {
  workspaceId: string;
  kind: ActivityKind;
  actorId: string | null;
  promptId?: string | null;
  /** kind-specific facts (label, fromVersionId/toVersionId and their numbers, reviewId, runId, comparison key …) */
  data?: Record<string, Prisma.InputJsonValue | null>;
}

type Writer = Pick<Prisma.TransactionClient, "activityEvent">;

/** Records one event; pass the transaction client when the event must commit or roll back with the change. */
export async function recordActivity(input: ActivityInput, client: Writer = db): Promise<void> {
  await client.activityEvent.create({
    data: {
      workspaceId: input.workspaceId,
      kind: input.kind,
      actorId: input.actorId,
      promptId: input.promptId ?? null,
      data: (input.data ?? {}) as Prisma.InputJsonValue,
    },
  });
}
