import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { promptReadiness, type LabelReadiness } from "./gate.ts";
import { loadProtectedLabels, type ProtectedLabel } from "./protected-labels.ts";
import { reviewsByVersion, type ReviewStateName } from "./read.ts";

// What the prompt page's Versions tab needs to show the release gate: which labels are protected, whether each
// version may take each of them (and why not), and each version's review. Fetched again after every move or save.

export interface PromptGate {
  protectedLabels: ProtectedLabel[];
  versions: Record<string, { readiness: Record<string, LabelReadiness>; review: { id: string; state: ReviewStateName; title: string } | null }>;
}

export async function promptGate(workspaceId: string, promptId: string): Promise<PromptGate> {
  const prompt = await db.prompt.findFirst({ where: { id: promptId, workspaceId }, select: { id: true } });
  if (!prompt) throw new AppError("not_found", "prompt", `No prompt "${promptId}" in this workspace`);
  const [protectedLabels, readiness, reviews] = await Promise.all([
    loadProtectedLabels(workspaceId),
    promptReadiness(workspaceId, promptId),
    reviewsByVersion(workspaceId, promptId),
  ]);
  const versions: PromptGate["versions"] = {};
  for (const [versionId, labels] of Object.entries(readiness)) versions[versionId] = { readiness: labels, review: reviews[versionId] ?? null };
  return { protectedLabels, versions };
}
