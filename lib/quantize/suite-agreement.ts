import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { createRun } from "../runs/create-run.ts";
import { z } from "zod";
import type { ModelParams } from "../prompts/schema.ts";

// Agreement on a chosen suite, the trade-off's last column: the family (the base model and its quantized versions)
// run as variants of one ordinary run — a prompt version × each model of the family on the Local models connection,
// through the run engine — and, per quantized version, the share of cases whose output equals the original's, next to
// each version's pass rate. The run is the evidence: it opens on the compare screen like any other.

export const suiteAgreementInput = z.object({
  name: z.string().trim().min(1, "Give the base local model of the family").max(200),
  versionId: z.string().trim().min(1, "Pick the prompt version to run"),
  suiteId: z.string().trim().min(1, "Pick the suite to run it on"),
});

export interface StoredSuite {
  runId: string;
  versionId: string;
  suiteId: string;
}

export interface SuiteAgreementModel {
  name: string;
  variantId: string;
  /** cases with an output from both this model and the original */
  compared: number;
  /** share of those where the outputs are equal (1 for the original itself) */
  agreement: number | null;
  passed: number;
  done: number;
  passRate: number | null;
  errors: number;
}

export interface SuiteAgreementView {
  runId: string;
  status: string;
  totalCells: number;
  doneCells: number;
  prompt: { name: string; versionNumber: number } | null;
  suite: { id: string; name: string } | null;
  models: SuiteAgreementModel[];
  /** the compare screen, relative to the workspace: the original against each quantized version */
  comparePath: string;
}

/** Starts the run; the trade-off row keeps it. The family's names come from the stored trade-off. */
export async function startSuiteAgreement(workspaceId: string, userId: string, input: z.infer<typeof suiteAgreementInput>): Promise<StoredSuite> {
  const tradeoff = await db.quantTradeoff.findUnique({ where: { workspaceId_baseName: { workspaceId, baseName: input.name } }, select: { id: true, rows: true } });
  if (!tradeoff) {
    throw new AppError("bad_request", "name", `Measure the trade-off of "${input.name}" first: the suite runs every model it measured`, [{ path: "name", message: "not measured" }]);
  }
  const names = (tradeoff.rows as { name: string }[]).map((row) => row.name);
  const [version, suite, local] = await Promise.all([
    db.promptVersion.findFirst({ where: { id: input.versionId, prompt: { workspaceId } }, select: { id: true, params: true } }),
    db.suite.findFirst({ where: { id: input.suiteId, workspaceId }, select: { id: true, name: true } }),
    db.connection.findFirst({ where: { workspaceId, kind: "local" }, orderBy: { createdAt: "asc" }, select: { id: true } }),
  ]);
  if (!version) throw new AppError("bad_request", "versionId", "No such prompt version in this workspace", [{ path: "versionId", message: "unknown version" }]);
  if (!suite) throw new AppError("bad_request", "suiteId", "No such suite in this workspace", [{ path: "suiteId", message: "unknown suite" }]);
  if (!local) throw new AppError("conflict", "connection", "This workspace has no Local models connection to run the models through");
  const run = await createRun(workspaceId, userId, {
    suiteId: suite.id,
    name: `trade-off · ${input.name} on ${suite.name}`,
    // every model with the version's own parameters (temperature, maxTokens): only the model differs
    variants: names.map((name) => ({ label: name, versionId: version.id, connectionId: local.id, model: name, params: version.params as ModelParams })),
    concurrency: 4,
  });
  const stored: StoredSuite = { runId: run.id, versionId: version.id, suiteId: suite.id };
  await db.quantTradeoff.update({ where: { id: tradeoff.id }, data: { suite: stored as unknown as object } });
  return stored;
}

/** The run's figures now (it may still be running): one query for the results, compared case by case. */
export async function suiteAgreementOf(stored: StoredSuite): Promise<SuiteAgreementView | null> {
  const run = await db.run.findUnique({
    where: { id: stored.runId },
    select: { id: true, status: true, totalCells: true, suite: { select: { id: true, name: true } }, variants: { orderBy: { position: "asc" }, select: { id: true, label: true, model: true } } },
  });
  if (!run) return null;
  const [version, results] = await Promise.all([
    db.promptVersion.findUnique({ where: { id: stored.versionId }, select: { number: true, prompt: { select: { name: true } } } }),
    db.result.findMany({ where: { runId: run.id, repeat: 0 }, select: { variantId: true, caseId: true, output: true, pass: true, error: true } }),
  ]);
  const byVariant = new Map<string, Map<string, { output: string | null; pass: boolean | null; failed: boolean }>>();
  for (const result of results) {
    let cases = byVariant.get(result.variantId);
    if (!cases) byVariant.set(result.variantId, (cases = new Map()));
    cases.set(result.caseId, { output: result.output, pass: result.pass, failed: result.error !== null });
  }
  const original = byVariant.get(run.variants[0]?.id ?? "") ?? new Map();
  const models = run.variants.map((variant): SuiteAgreementModel => {
    const cases = byVariant.get(variant.id) ?? new Map();
    let compared = 0;
    let same = 0;
    let passed = 0;
    let done = 0;
    let errors = 0;
    for (const [caseId, result] of cases) {
      if (result.failed) {
        errors++;
        continue;
      }
      done++;
      if (result.pass) passed++;
      const reference = original.get(caseId);
      if (!reference || reference.failed) continue;
      compared++;
      if (reference.output === result.output) same++;
    }
    return { name: variant.model, variantId: variant.id, compared, agreement: compared === 0 ? null : same / compared, passed, done, passRate: done === 0 ? null : passed / done, errors };
  });
  return {
    runId: run.id,
    status: run.status,
    totalCells: run.totalCells,
    doneCells: results.length,
    prompt: version ? { name: version.prompt.name, versionNumber: version.number } : null,
    suite: run.suite,
    models,
    comparePath: `/compare?variants=${run.variants.map((variant) => variant.id).join(",")}`,
  };
}

export interface SuiteAgreementOptions {
  prompts: { name: string; versions: { id: string; number: number }[] }[];
  suites: { id: string; name: string; cases: number }[];
}

/** What the Models page offers to run a family on: the workspace's prompts (newest version first) and suites. */
export async function suiteAgreementOptions(workspaceId: string): Promise<SuiteAgreementOptions> {
  const [prompts, suites] = await Promise.all([
    db.prompt.findMany({ where: { workspaceId }, orderBy: { name: "asc" }, select: { name: true, versions: { orderBy: { number: "desc" }, select: { id: true, number: true } } } }),
    db.suite.findMany({ where: { workspaceId }, orderBy: { name: "asc" }, select: { id: true, name: true, _count: { select: { cases: true } } } }),
  ]);
  return { prompts, suites: suites.map((suite) => ({ id: suite.id, name: suite.name, cases: suite._count.cases })) };
}
