import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import type { PromptContent } from "../prompts/types.ts";

// "Open in compare" for a shadow release: the shadow pairs (stable's answer and the candidate's shadow call on the same
// request, sharing a groupId) become a Suite whose cases are the requests' variables and a finished Run with two
// Variants (stable, candidate) whose Results are the stored outputs with their online evaluations, latency, tokens and
// cost. The existing compare screen then shows "requests as cases" with all its statistics (McNemar on pass/fail,
// paired bootstrap on scores, latency percentiles, cost) — nothing in lib/compare knows about releases.
//
// One snapshot per release: materializing again replaces the previous one (its suite and run), so the compare link
// always shows the latest pairs. Capped at the latest MAX_PAIRS pairs.

export const MAX_PAIRS = 2000;

export interface ShadowComparisonLink {
  runId: string;
  suiteId: string;
  /** [stable, candidate] */
  variantIds: [string, string];
  pairs: number;
  /** pairs left out by the cap (older ones) */
  leftOut: number;
  /** workspace-relative (lib/workspaces/paths.ts workspacePath adds the workspace) */
  url: string;
}

interface PairRow {
  stableId: string;
  shadowId: string;
}

type CallRow = Prisma.CallGetPayload<{
  select: typeof callColumns;
}>;

const callColumns = {
  id: true,
  variables: true,
  output: true,
  finishReason: true,
  inputTokens: true,
  outputTokens: true,
  usageEstimated: true,
  cost: true,
  ttftMs: true,
  latencyMs: true,
  error: true,
  evaluation: true,
  passed: true,
  arm: true,
  ring: true,
  versionId: true,
  connectionId: true,
  model: true,
  createdAt: true,
} satisfies Prisma.CallSelect;

export function shadowSuiteName(promptName: string, releaseId: string): string {
  return `${promptName} — shadow of release ${releaseId.slice(-8)}`;
}

export async function materializeShadowComparison(
  workspaceId: string,
  userId: string | null,
  releaseId: string,
  options: { maxPairs?: number } = {},
): Promise<ShadowComparisonLink> {
  const cap = Math.max(1, Math.min(options.maxPairs ?? MAX_PAIRS, MAX_PAIRS));
  const release = await db.release.findFirst({
    where: { id: releaseId, workspaceId },
    select: {
      id: true,
      mode: true,
      prompt: { select: { name: true } },
      arms: { orderBy: { position: "asc" }, select: { name: true, versionId: true, version: true } },
    },
  });
  if (!release) throw new AppError("not_found", "release", `No release "${releaseId}" in this workspace.`);
  const stableArm = release.arms.find((arm) => arm.name === "stable");
  if (!stableArm) throw new AppError("conflict", "release", "This release has no stable arm to compare with.");

  // The latest shadow calls with their stable answer. A shadow call whose answer is still in the write-behind buffer
  // (or failed to store) has no pair yet and is left out.
  const [pairs, counted] = await Promise.all([
    db.$queryRaw<PairRow[]>`
      SELECT a.id AS "stableId", s.id AS "shadowId"
      FROM "Call" s
      JOIN LATERAL (
        SELECT c.id FROM "Call" c
        WHERE c."groupId" = s."groupId" AND c."releaseId" = s."releaseId" AND c.shadow = false
        ORDER BY c."createdAt" LIMIT 1
      ) a ON true
      WHERE s."releaseId" = ${release.id} AND s.shadow = true
      ORDER BY s."createdAt" DESC, s.id DESC
      LIMIT ${cap}`,
    db.$queryRaw<{ total: bigint | number }[]>`
      SELECT count(*) AS total FROM "Call" s
      WHERE s."releaseId" = ${release.id} AND s.shadow = true
        AND EXISTS (SELECT 1 FROM "Call" c WHERE c."groupId" = s."groupId" AND c."releaseId" = s."releaseId" AND c.shadow = false)`,
  ]);
  if (pairs.length === 0) {
    throw new AppError(
      "conflict",
      "release",
      release.mode === "shadow"
        ? "No shadow pairs yet: the candidate has not answered a shadowed request (or its calls are not stored yet)."
        : "This release has no shadow calls: only a shadow release runs the candidate beside stable's answer.",
    );
  }
  const total = Number(counted[0]?.total ?? pairs.length);
  const rows = await db.call.findMany({ where: { id: { in: pairs.flatMap((pair) => [pair.stableId, pair.shadowId]) } }, select: callColumns });
  const byId = new Map(rows.map((row) => [row.id, row]));
  // Oldest first: case positions follow the traffic.
  const ordered = pairs
    .map((pair) => ({ stable: byId.get(pair.stableId), shadow: byId.get(pair.shadowId) }))
    .filter((pair): pair is { stable: CallRow; shadow: CallRow } => pair.stable !== undefined && pair.shadow !== undefined)
    .reverse();

  const candidateVersionId = mostCommon(ordered.map((pair) => pair.shadow.versionId)) ?? release.arms.find((arm) => arm.name !== "stable")?.versionId;
  const candidateArm = release.arms.find((arm) => arm.versionId === candidateVersionId) ?? release.arms.find((arm) => arm.name !== "stable");
  if (!candidateArm) throw new AppError("conflict", "release", "This release has no candidate arm to compare.");

  const suiteName = shadowSuiteName(release.prompt.name, release.id);
  const now = new Date();
  return db.$transaction(
    async (tx) => {
      // Two people clicking at once would both replace the snapshot; the lock makes the second wait for the first.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`shadow-comparison:${release.id}`}))`;
      const previous = await tx.suite.findUnique({ where: { workspaceId_name: { workspaceId, name: suiteName } }, select: { id: true } });
      if (previous) {
        await tx.run.deleteMany({ where: { suiteId: previous.id, workspaceId } });
        await tx.suite.delete({ where: { id: previous.id } });
      }
      const suite = await tx.suite.create({
        data: {
          workspaceId,
          name: suiteName,
          description: `Real requests of release ${release.id} (${release.prompt.name}): stable's answer and the candidate's shadow output on the same request. Latest ${ordered.length} of ${total} pairs, materialized ${now.toISOString()}.`,
          assertions: [],
        },
      });
      await tx.case.createMany({
        data: ordered.map((pair, position) => ({
          suiteId: suite.id,
          position,
          key: `request-${pair.stable.id}`,
          variables: (pair.stable.variables ?? {}) as Prisma.InputJsonValue,
          expected: null,
          tags: pair.stable.ring ? [pair.stable.ring] : [],
        })),
      });
      const cases = await tx.case.findMany({ where: { suiteId: suite.id }, select: { id: true, key: true } });
      const caseIdByKey = new Map(cases.map((row) => [row.key, row.id]));
      const run = await tx.run.create({
        data: {
          workspaceId,
          suiteId: suite.id,
          name: `Shadow of release ${release.id.slice(-8)} · ${release.prompt.name} · ${ordered.length} requests`,
          status: "completed",
          config: { source: "release-shadow", releaseId: release.id, pairs: ordered.length, totalPairs: total, cap } as Prisma.InputJsonValue,
          repeats: 1,
          concurrency: 1,
          cache: false,
          totalCells: ordered.length * 2,
          createdById: userId,
          createdAt: now,
          startedAt: ordered[0]?.stable.createdAt ?? now,
          finishedAt: now,
        },
      });
      const arms = [
        { arm: stableArm, side: "stable" as const },
        { arm: candidateArm, side: "shadow" as const },
      ];
      const variantIds: string[] = [];
      for (const [position, { arm, side }] of arms.entries()) {
        const sample = ordered.find((pair) => pair[side].versionId === arm.versionId)?.[side] ?? ordered[0]?.[side];
        const version = arm.version;
        const prompt: PromptContent = {
          messages: version.messages as unknown as PromptContent["messages"],
          examples: version.examples as unknown as PromptContent["examples"],
          counterexamples: version.counterexamples as unknown as PromptContent["counterexamples"],
          exampleMode: version.exampleMode,
        };
        const variant = await tx.variant.create({
          data: {
            runId: run.id,
            position,
            label: `${arm.name} · ${release.prompt.name} v${version.number}`,
            versionId: arm.versionId,
            prompt: prompt as unknown as Prisma.InputJsonValue,
            connectionId: sample?.connectionId ?? version.connectionId,
            model: sample?.model ?? version.model ?? "unknown",
            params: (version.params ?? {}) as Prisma.InputJsonValue,
          },
        });
        variantIds.push(variant.id);
        await tx.result.createMany({
          data: ordered.map((pair) => resultOf(run.id, variant.id, caseIdByKey.get(`request-${pair.stable.id}`) as string, pair[side])),
        });
      }
      const [stableVariant, candidateVariant] = variantIds as [string, string];
      return {
        runId: run.id,
        suiteId: suite.id,
        variantIds: [stableVariant, candidateVariant],
        pairs: ordered.length,
        leftOut: total - ordered.length,
        url: `/compare?variants=${stableVariant},${candidateVariant}`,
      };
    },
    { timeout: 60_000 },
  );
}

function resultOf(runId: string, variantId: string, caseId: string, call: CallRow): Prisma.ResultCreateManyInput {
  const evaluation = call.evaluation as { pass?: boolean; score?: number; results?: unknown[] } | null;
  return {
    runId,
    variantId,
    caseId,
    repeat: 0,
    output: call.output,
    finishReason: call.finishReason,
    inputTokens: call.inputTokens,
    outputTokens: call.outputTokens,
    usageEstimated: call.usageEstimated,
    cost: call.cost,
    ttftMs: call.ttftMs,
    latencyMs: call.latencyMs,
    assertions: (evaluation?.results ?? []) as Prisma.InputJsonValue,
    // An unscored call (no scoring config, or the judge failed) is ungraded, not failed.
    pass: evaluation ? (call.passed ?? evaluation.pass ?? null) : null,
    score: typeof evaluation?.score === "number" ? evaluation.score : null,
    error: call.error === null ? Prisma.DbNull : (call.error as Prisma.InputJsonValue),
    attempts: 1,
    retries: 0,
    cached: false,
    createdAt: call.createdAt,
  };
}

function mostCommon(values: readonly (string | null)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: string | undefined;
  for (const [value, count] of counts) if (best === undefined || count > (counts.get(best) ?? 0)) best = value;
  return best;
}
