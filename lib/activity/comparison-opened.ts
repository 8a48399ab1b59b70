import { db } from "../db.ts";
import { recordActivity } from "./record.ts";

// "Ada opened the comparison …": recorded when a member opens a comparison page, at most once per member per
// comparison per hour, so reloading a page or flipping between variants does not flood the feed. A transaction lock on
// (workspace, member, comparison) makes two loads at the same moment record one event, not two.

export const COMPARISON_DEBOUNCE_MS = 60 * 60 * 1000;

export interface ComparisonOpened {
  workspaceId: string;
  actorId: string;
  /** the compare URL's variant ids, baseline first */
  variantIds: readonly string[];
}

/** True when an event was written; false when this member opened the same comparison within the last hour. */
export async function recordComparisonOpened(opened: ComparisonOpened, now = new Date()): Promise<boolean> {
  const key = opened.variantIds.join(",");
  if (opened.variantIds.length < 2) return false;
  return db.$transaction(async (transaction) => {
    await transaction.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`assay-comparison-opened:${opened.workspaceId}:${opened.actorId}:${key}`}))`;
    const recent = await transaction.activityEvent.findFirst({
      where: {
        workspaceId: opened.workspaceId,
        actorId: opened.actorId,
        kind: "comparison.opened",
        createdAt: { gt: new Date(now.getTime() - COMPARISON_DEBOUNCE_MS) },
        data: { path: ["variants"], equals: key },
      },
      select: { id: true },
    });
    if (recent) return false;
    const variants = await transaction.variant.findMany({
      where: { id: { in: [...opened.variantIds] }, run: { workspaceId: opened.workspaceId } },
      select: { id: true, label: true, runId: true, run: { select: { name: true } }, version: { select: { promptId: true } } },
    });
    const byId = new Map(variants.map((variant) => [variant.id, variant]));
    const ordered = opened.variantIds.flatMap((id) => {
      const variant = byId.get(id);
      return variant ? [variant] : [];
    });
    const promptIds = [...new Set(ordered.flatMap((variant) => (variant.version ? [variant.version.promptId] : [])))];
    await recordActivity(
      {
        workspaceId: opened.workspaceId,
        kind: "comparison.opened",
        actorId: opened.actorId,
        promptId: promptIds.length === 1 ? (promptIds[0] ?? null) : null,
        data: {
          variants: key,
          labels: ordered.map((variant) => variant.label),
          runIds: [...new Set(ordered.map((variant) => variant.runId))],
          runNames: [...new Set(ordered.map((variant) => variant.run.name))],
          promptIds,
        },
      },
      transaction,
    );
    return true;
  });
}
