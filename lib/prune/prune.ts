import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { getVersionById } from "../prompts/service.ts";
import type { PromptContent } from "../prompts/types.ts";
import { createRun } from "../runs/service.ts";
import { waitForRun } from "../runs/wait.ts";
import { compareToFull, itemKey, keepOnly, leastHurtful, pruneItems } from "./decide.ts";
import type { PairedEvidence, PruneItem, ScoredRemoval } from "./decide.ts";
import { pruneInput } from "./schema.ts";
import type { PruneInput } from "./schema.ts";

// Example pruning: backward elimination over a version's examples and counterexamples. Each round is one ordinary run
// (on the ablation machinery's terms: same suite, same model, no response cache) with one variant per remaining item
// left out; the removal that hurts least is taken while the result is not worse than the full prompt (paired, same
// cases). The first round also runs the full prompt, which every later candidate is compared with, so the loss
// never accumulates unseen from step to step. A last run of full vs pruned gives the savings and the comparison.

/** createRun's limit is 50 variants; the first round runs the full prompt plus one per item. */
export const MAX_ITEMS = 49;

export interface PruneStep {
  round: number;
  runId: string;
  /** every removal tried this round, least hurtful first */
  tried: { label: string; variantId: string; evidence: PairedEvidence; inputTokensPerCall: number | null }[];
  /** the removal taken, or null when none was not worse (the search stops) */
  removed: string | null;
}

export interface CallFigures {
  inputTokensPerCall: number | null;
  latencyMsPerCall: number | null;
  costPerCall: number | null;
}

export interface PruneReport {
  versionId: string;
  marginPoints: number;
  alpha: number;
  /** the smallest set found, as positions in the version's examples and counterexamples */
  keepExamples: number[];
  keepCounterexamples: number[];
  removed: string[];
  fullPassRate: number;
  prunedPassRate: number;
  cases: number;
  full: CallFigures;
  pruned: CallFigures;
  /** full − pruned; null when a side has no figure */
  inputTokensSavedPerCall: number | null;
  latencySavedMsPer1000Calls: number | null;
  costSavedPer1000Calls: number | null;
  steps: PruneStep[];
  runIds: string[];
  /** the full prompt and the smallest set side by side in the last run (the same variant when nothing was removed), for the compare screen */
  fullVariantId: string;
  prunedVariantId: string;
}

interface VariantResults {
  variantId: string;
  passes: Map<string, boolean>;
  figures: CallFigures;
}

function meanOf(values: (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : present.reduce((sum, value) => sum + value, 0) / present.length;
}

function difference(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

async function resultsByVariant(runId: string): Promise<Map<string, VariantResults>> {
  const rows = await db.result.findMany({
    where: { runId },
    select: { variantId: true, caseId: true, pass: true, inputTokens: true, latencyMs: true, cost: true },
  });
  const grouped = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = grouped.get(row.variantId) ?? [];
    list.push(row);
    grouped.set(row.variantId, list);
  }
  const out = new Map<string, VariantResults>();
  for (const [variantId, list] of grouped) {
    out.set(variantId, {
      variantId,
      passes: new Map(list.map((row) => [row.caseId, row.pass === true])),
      figures: {
        inputTokensPerCall: meanOf(list.map((row) => row.inputTokens)),
        latencyMsPerCall: meanOf(list.map((row) => row.latencyMs)),
        costPerCall: meanOf(list.map((row) => row.cost)),
      },
    });
  }
  return out;
}

function checkPrunable(content: PromptContent): PruneItem[] {
  const items = pruneItems(content);
  if (items.length === 0) {
    throw new AppError("bad_request", "prune", "versionId: this version has no examples or counterexamples, so there is nothing to prune.", [
      { path: "versionId", message: "no examples or counterexamples" },
    ]);
  }
  if (items.length > MAX_ITEMS) {
    throw new AppError("bad_request", "prune", `versionId: this version has ${items.length} examples and counterexamples; pruning handles at most ${MAX_ITEMS}.`, [
      { path: "versionId", message: `more than ${MAX_ITEMS} examples and counterexamples` },
    ]);
  }
  return items;
}

export interface PruneOptions {
  /** how often waitForRun polls (tests shorten it) */
  pollMs?: number;
  onStep?: (step: PruneStep) => void;
  /** a round's (or the last comparison's) run was created: what it tries, for progress */
  onRun?: (run: { runId: string; round: number | null; trying: string[] }) => void | Promise<void>;
}

/** The checks made before any run: the version has something to prune, the suite exists and has cases. */
export async function checkPruneRequest(workspaceId: string, input: PruneInput) {
  const parsed = pruneInput.parse(input);
  const version = await getVersionById(workspaceId, parsed.versionId);
  const items = checkPrunable(version);
  const prompt = await db.prompt.findUniqueOrThrow({ where: { id: version.promptId }, select: { name: true } });
  const suite = await db.suite.findFirst({ where: { id: parsed.suiteId, workspaceId }, select: { _count: { select: { cases: true } } } });
  if (!suite) throw new AppError("bad_request", "prune", "suiteId: no such suite in this workspace", [{ path: "suiteId", message: "unknown suite" }]);
  if (suite._count.cases === 0) throw new AppError("bad_request", "prune", "suiteId: this suite has no cases to measure on", [{ path: "suiteId", message: "no cases" }]);
  return { parsed, version, items, prompt };
}

/**
 * Runs the pruning to the end and reports the smallest set found. Bad input (unknown version, suite or connection,
 * a version with nothing to prune, an empty suite) is refused before any run is created.
 */
export async function prunePrompt(workspaceId: string, userId: string, input: PruneInput, options: PruneOptions = {}): Promise<PruneReport> {
  const checked = await checkPruneRequest(workspaceId, input);
  const { parsed, version, prompt } = checked;
  let remaining = checked.items;

  const steps: PruneStep[] = [];
  const runIds: string[] = [];
  const removed: string[] = [];
  let full: VariantResults | null = null;
  let current: VariantResults | null = null;
  let currentEvidence: PairedEvidence | null = null;

  // One ordinary run of the given prompts on the suite, waited for; its variants in order and their results.
  const runVariants = async (
    what: string,
    variants: { label: string; prompt: ReturnType<typeof keepOnly> }[],
    endedBadly: (status: string, runId: string) => string,
    round: number | null,
  ) => {
    const { id: runId } = await createRun(workspaceId, userId, {
      suiteId: parsed.suiteId,
      name: `Pruning · ${prompt.name} v${version.number} · ${what} · ${parsed.model}`,
      variants: variants.map((variant) => ({ ...variant, versionId: version.id, connectionId: parsed.connectionId, model: parsed.model, params: version.params })),
      concurrency: parsed.concurrency,
      // Latency and cost are part of the answer: never serve pruning from the response cache.
      cache: false,
    });
    runIds.push(runId);
    await options.onRun?.({ runId, round, trying: variants.map((variant) => variant.label) });
    const progress = await waitForRun(runId, { intervalMs: options.pollMs });
    if (progress.status !== "completed") throw new AppError("unavailable", "prune", endedBadly(progress.status, runId));
    const variantRows = await db.variant.findMany({ where: { runId }, orderBy: { position: "asc" }, select: { id: true } });
    return { runId, variantRows, results: await resultsByVariant(runId) };
  };

  for (let round = 1; remaining.length > 0; round++) {
    const withFull = full === null;
    const candidates = remaining.map((item) => ({ item, kept: remaining.filter((other) => other !== item) }));
    const variants = [
      ...(withFull ? [{ label: "full prompt", prompt: keepOnly(version, remaining) }] : []),
      ...candidates.map((candidate) => ({ label: `without ${[...removed, candidate.item.label].join(", ")}`, prompt: keepOnly(version, candidate.kept) })),
    ];
    const { runId, variantRows, results } = await runVariants(`round ${round}`, variants, (status, id) =>
      `The run of round ${round} ended ${status}; the pruning stopped there (run ${id}).`, round);
    const empty: VariantResults = { variantId: "", passes: new Map(), figures: { inputTokensPerCall: null, latencyMsPerCall: null, costPerCall: null } };
    const resultAt = (position: number): VariantResults => results.get(variantRows[position]?.id ?? "") ?? empty;
    if (withFull) {
      full = resultAt(0);
      current = full;
    }
    const baseline = full ?? empty;
    const scored: (ScoredRemoval & { results: VariantResults })[] = candidates.map((candidate, position) => {
      const candidateResults = resultAt(position + (withFull ? 1 : 0));
      return {
        item: candidate.item,
        evidence: compareToFull(baseline.passes, candidateResults.passes, parsed),
        inputTokensPerCall: candidateResults.figures.inputTokensPerCall,
        results: candidateResults,
      };
    });
    const best = leastHurtful(scored);
    const taken = best && best.evidence.notWorse ? best : null;
    const ordered = best ? [best, ...scored.filter((removal) => removal !== best)] : scored;
    const step: PruneStep = {
      round,
      runId,
      tried: ordered.map((removal) => ({ label: removal.item.label, variantId: removal.results.variantId, evidence: removal.evidence, inputTokensPerCall: removal.inputTokensPerCall })),
      removed: taken ? taken.item.label : null,
    };
    steps.push(step);
    options.onStep?.(step);
    if (!taken) break;
    removed.push(taken.item.label);
    current = taken.results;
    currentEvidence = taken.evidence;
    remaining = remaining.filter((item) => itemKey(item) !== itemKey(taken.item));
  }

  let fullFigures = (full ?? current)?.figures ?? { inputTokensPerCall: null, latencyMsPerCall: null, costPerCall: null };
  let prunedFigures = current?.figures ?? fullFigures;
  let fullVariantId = full?.variantId ?? "";
  let prunedVariantId = current?.variantId ?? fullVariantId;
  if (removed.length > 0) {
    // The savings come from one more run of the full and the pruned prompt side by side: rounds ran at different
    // times and loads, so latency across rounds would mix the prompt's effect with the machine's.
    const { variantRows, results } = await runVariants(
      "full vs pruned",
      [
        { label: "full prompt", prompt: keepOnly(version, pruneItems(version)) },
        { label: `without ${removed.join(", ")}`, prompt: keepOnly(version, remaining) },
      ],
      (status, id) => `The full-vs-pruned run ended ${status} (run ${id}).`,
      null,
    );
    fullVariantId = variantRows[0]?.id ?? fullVariantId;
    prunedVariantId = variantRows[1]?.id ?? prunedVariantId;
    fullFigures = results.get(fullVariantId)?.figures ?? fullFigures;
    prunedFigures = results.get(prunedVariantId)?.figures ?? prunedFigures;
  }
  const fullPasses = full?.passes ?? new Map<string, boolean>();
  const fullPassRate = fullPasses.size === 0 ? 0 : [...fullPasses.values()].filter(Boolean).length / fullPasses.size;
  const per1000 = (value: number | null) => (value === null ? null : value * 1000);
  return {
    versionId: version.id,
    marginPoints: parsed.marginPoints,
    alpha: parsed.alpha,
    keepExamples: remaining.filter((item) => item.kind === "example").map((item) => item.index),
    keepCounterexamples: remaining.filter((item) => item.kind === "counterexample").map((item) => item.index),
    removed,
    fullPassRate,
    prunedPassRate: currentEvidence ? currentEvidence.candidatePassRate : fullPassRate,
    cases: fullPasses.size,
    full: fullFigures,
    pruned: prunedFigures,
    inputTokensSavedPerCall: difference(fullFigures.inputTokensPerCall, prunedFigures.inputTokensPerCall),
    latencySavedMsPer1000Calls: per1000(difference(fullFigures.latencyMsPerCall, prunedFigures.latencyMsPerCall)),
    costSavedPer1000Calls: per1000(difference(fullFigures.costPerCall, prunedFigures.costPerCall)),
    steps,
    runIds,
    fullVariantId,
    prunedVariantId,
  };
}
