import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { variantList } from "../compare/schema.ts";
import type { CommentTargetType } from "./schema.ts";

// What a comment hangs on, checked to belong to the member's workspace: a prompt version, a run, or a comparison
// (the compare URL's variant ids, baseline first). A case anchor must be a case of the run's suite, or of one of the
// comparison's suites. Anything outside the workspace is "not found", never "forbidden": ids of other workspaces are
// not confirmed to exist.

export interface ResolvedTarget {
  targetType: CommentTargetType;
  /** normalized: a comparison key without spaces */
  targetId: string;
  caseId: string | null;
  caseKey: string | null;
  promptId: string | null;
  /** "support-triage v3", "run “nightly”", "the comparison A vs B", for inbox lines */
  title: string;
  /** workspace-relative page that shows the thread (the case opened when anchored to one) */
  path: string;
}

interface TargetBase {
  targetId: string;
  promptId: string | null;
  title: string;
  path: string;
  suiteIds: string[];
}

async function versionTarget(workspaceId: string, versionId: string): Promise<TargetBase> {
  const version = await db.promptVersion.findFirst({
    where: { id: versionId, prompt: { workspaceId } },
    select: { id: true, number: true, prompt: { select: { id: true, name: true } } },
  });
  if (!version) throw new AppError("not_found", "version", "No such prompt version in this workspace.", [{ path: "targetId", message: "unknown version" }]);
  return {
    targetId: version.id,
    promptId: version.prompt.id,
    title: `${version.prompt.name} v${version.number}`,
    path: `/prompts/${version.prompt.id}?v=${version.number}`,
    suiteIds: [],
  };
}

async function runTarget(workspaceId: string, runId: string): Promise<TargetBase> {
  const run = await db.run.findFirst({ where: { id: runId, workspaceId }, select: { id: true, name: true, suiteId: true } });
  if (!run) throw new AppError("not_found", "run", "No such run in this workspace.", [{ path: "targetId", message: "unknown run" }]);
  return {
    targetId: run.id,
    promptId: null,
    title: `run “${run.name || `Run ${run.id.slice(-6)}`}”`,
    path: `/runs/${run.id}`,
    suiteIds: run.suiteId ? [run.suiteId] : [],
  };
}

async function comparisonTarget(workspaceId: string, key: string): Promise<TargetBase> {
  const parsed = variantList.safeParse(key);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "not a comparison";
    throw new AppError("bad_request", "input", `targetId: ${message}`, [{ path: "targetId", message }]);
  }
  const ids = parsed.data;
  const variants = await db.variant.findMany({
    where: { id: { in: ids }, run: { workspaceId } },
    select: { id: true, label: true, run: { select: { suiteId: true } } },
  });
  const byId = new Map(variants.map((variant) => [variant.id, variant]));
  const missing = ids.filter((variantId) => !byId.has(variantId));
  if (missing.length > 0) {
    throw new AppError("not_found", "comparison", `No variant ${missing.map((variantId) => `"${variantId}"`).join(", ")} in this workspace.`, [
      { path: "targetId", message: "unknown variant" },
    ]);
  }
  const labels = ids.map((variantId) => byId.get(variantId)?.label ?? variantId);
  const normalized = ids.join(",");
  return {
    targetId: normalized,
    promptId: null,
    title: labels.length === 2 ? `the comparison ${labels[0]} vs ${labels[1]}` : `the comparison of ${labels.length} variants against ${labels[0]}`,
    path: `/compare?variants=${normalized}`,
    suiteIds: [...new Set(variants.map((variant) => variant.run.suiteId).filter((suiteId): suiteId is string => suiteId !== null))],
  };
}

/** The target (and case) in the member's workspace, or a 404 / 400 naming the field. */
export async function resolveTarget(workspaceId: string, input: { targetType: CommentTargetType; targetId: string; caseId?: string | null }): Promise<ResolvedTarget> {
  const base =
    input.targetType === "version"
      ? await versionTarget(workspaceId, input.targetId)
      : input.targetType === "run"
        ? await runTarget(workspaceId, input.targetId)
        : await comparisonTarget(workspaceId, input.targetId);
  const caseId = input.caseId ?? null;
  if (caseId === null) return { targetType: input.targetType, ...base, caseId: null, caseKey: null };
  if (input.targetType === "version") {
    const message = "a prompt version has no cases; comment on a run or a comparison to discuss one case";
    throw new AppError("bad_request", "input", `caseId: ${message}`, [{ path: "caseId", message }]);
  }
  const found = await db.case.findFirst({ where: { id: caseId, suiteId: { in: base.suiteIds } }, select: { id: true, key: true } });
  if (!found) {
    throw new AppError("not_found", "case", `No such case in the suite of this ${input.targetType}.`, [{ path: "caseId", message: "unknown case" }]);
  }
  const separator = base.path.includes("?") ? "&" : "?";
  return {
    targetType: input.targetType,
    ...base,
    caseId: found.id,
    caseKey: found.key,
    title: `case ${found.key} of ${base.title}`,
    path: `${base.path}${separator}case=${encodeURIComponent(found.key)}`,
  };
}
