import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { getVersionById } from "../prompts/service.ts";
import { createRun } from "../runs/service.ts";
import { planAblation } from "./ablation-plan.ts";
import { ablationInput } from "./schema.ts";
import type { AblationInput } from "./schema.ts";

// Do the examples earn their tokens? From one version, the same prompt is run zero-shot, with its examples, and
// with examples plus counterexamples (and, when asked, with the first k examples for k = 1 … n − 1), on one suite
// and one model, as one run: the compare screen then shows every variant against zero-shot, Holm-corrected.

export { planAblation } from "./ablation-plan.ts";
export type { AblationVariant } from "./ablation-plan.ts";

export interface CreatedAblation {
  runId: string;
  /** in plan order: zero-shot first */
  variantIds: string[];
  labels: string[];
  /** the compare screen for all variants against zero-shot */
  url: string;
}

/** Creates and starts the ablation run; nothing is stored when the input is invalid. */
export async function createAblation(workspaceId: string, userId: string, input: AblationInput): Promise<CreatedAblation> {
  const parsed = ablationInput.parse(input);
  const version = await getVersionById(workspaceId, parsed.versionId);
  const prompt = await db.prompt.findUniqueOrThrow({ where: { id: version.promptId }, select: { name: true } });
  const plan = planAblation(version, parsed.exampleSweep);
  const { id: runId } = await createRun(workspaceId, userId, {
    suiteId: parsed.suiteId,
    name: `Ablation · ${prompt.name} v${version.number} · ${parsed.model}`,
    variants: plan.map((item) => ({
      label: item.label,
      versionId: version.id,
      prompt: item.prompt,
      connectionId: parsed.connectionId,
      model: parsed.model,
      params: version.params,
    })),
    repeats: parsed.repeats,
    concurrency: parsed.concurrency,
    // Latency is part of the answer: never serve an ablation from the response cache.
    cache: false,
  });
  const variants = await db.variant.findMany({ where: { runId }, orderBy: { position: "asc" }, select: { id: true, label: true } });
  return {
    runId,
    variantIds: variants.map((variant) => variant.id),
    labels: variants.map((variant) => variant.label),
    url: `/compare?variants=${variants.map((variant) => variant.id).join(",")}`,
  };
}

export interface AblationCandidate {
  versionId: string;
  promptName: string;
  number: number;
  commitMessage: string;
  examples: number;
  counterexamples: number;
  model: string | null;
  connectionId: string | null;
}

/** Prompt versions that have examples or counterexamples to ablate, newest first. */
export async function listAblationCandidates(workspaceId: string, limit = 300): Promise<AblationCandidate[]> {
  const rows = await db.promptVersion.findMany({
    where: { prompt: { workspaceId } },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: { id: true, number: true, commitMessage: true, examples: true, counterexamples: true, model: true, connectionId: true, prompt: { select: { name: true } } },
  });
  return rows
    .map((row) => ({
      versionId: row.id,
      promptName: row.prompt.name,
      number: row.number,
      commitMessage: row.commitMessage,
      examples: Array.isArray(row.examples) ? row.examples.length : 0,
      counterexamples: Array.isArray(row.counterexamples) ? row.counterexamples.length : 0,
      model: row.model,
      connectionId: row.connectionId,
    }))
    .filter((row) => row.examples + row.counterexamples > 0);
}

/** What the ablation and pruning forms offer: a version with examples, a suite, a connection × model. */
export async function exampleFormOptions(workspaceId: string) {
  const [{ listSuites }, { listConnections }] = await Promise.all([import("../suites/suites.ts"), import("../connections/service.ts")]);
  const [candidates, suites, connections] = await Promise.all([listAblationCandidates(workspaceId), listSuites(workspaceId), listConnections(workspaceId)]);
  return {
    candidates,
    suites: suites.map((suite) => ({ id: suite.id, name: suite.name, caseCount: suite.caseCount })),
    connections: connections.map((connection) => ({ id: connection.id, name: connection.name, models: connection.models.map((model) => model.name) })),
  };
}
