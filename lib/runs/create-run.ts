import { randomUUID } from "node:crypto";
import { recordActivity } from "../activity/record.ts";
import { db, Prisma } from "../db.ts";
import { AppError, type ErrorDetail } from "../errors.ts";
import { checkMaxTokens } from "../limits.ts";
import { validatePrompt } from "../prompts/render.ts";
import type { PromptContent } from "../prompts/types.ts";
import { resolveTarget } from "../connections/service.ts";
import { parseInput } from "../suites/suites.ts";
import { chunksOf, chunkSize, countSelectedCases, missingCells, selectionWhere, type CaseSelection } from "./cells.ts";
import { enqueueChunks, privateQueue, SHARED_QUEUE } from "./queue.ts";
import { createRunInput, type CreateRunInputParsed, type InlineTargetInput } from "./schema.ts";
import { inlineApiKey } from "./targets.ts";
import type { CreateRunInput, StoredRunConfig } from "./types.ts";
import { withRoomForRun, type RunCaps } from "./workspace-caps.ts";

export interface CreateRunOptions {
  source?: StoredRunConfig["source"];
  /**
   * Inline targets may read API keys from this process's environment (`apiKeyEnv`). Only the CLI allows it: over
   * HTTP it would let a user make the server send any of its environment variables to a URL of their choosing.
   */
  allowEnvironmentKeys?: boolean;
  /** run the chunks on a queue of the run's own, worked only by the calling process (the CLI) */
  privateQueue?: boolean;
  /** the suite file as given, kept with the run's configuration */
  suiteFile?: unknown;
  environment?: Record<string, string | undefined>;
  /** the workspace's cap on active runs; default ASSAY_MAX_ACTIVE_RUNS */
  caps?: RunCaps;
}

interface ResolvedVariant {
  label: string;
  versionId: string | null;
  /** the stored prompt the version belongs to, for the activity feed's prompt filter */
  promptId: string | null;
  prompt: PromptContent;
  connectionId: string | null;
  target: InlineTargetInput | null;
  model: string;
  params: CreateRunInputParsed["variants"][number]["params"];
  requiredVariables: string[];
}

function badInput(message: string, details: ErrorDetail[] = []): AppError {
  return new AppError("bad_request", "run", message, details);
}

async function checkTarget(
  workspaceId: string,
  path: string,
  spec: {
    connectionId?: string | undefined;
    target?: InlineTargetInput | undefined;
    model: string;
    params?: { maxTokens?: number | undefined };
  },
  options: CreateRunOptions,
): Promise<void> {
  if (spec.connectionId) {
    try {
      const resolved = await resolveTarget(workspaceId, spec.connectionId, spec.model);
      checkMaxTokens(`${path}.params`, spec.params?.maxTokens, spec.model, resolved.contextWindow);
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found") {
        throw badInput(`${path}.connectionId: no such connection in this workspace`, [{ path: `${path}.connectionId`, message: "unknown connection" }]);
      }
      throw error;
    }
    return;
  }
  if (spec.target?.apiKeyEnv) {
    if (!options.allowEnvironmentKeys) {
      throw badInput(`${path}.target.apiKeyEnv: API keys from environment variables are for the CLI; use a stored connection`, [
        { path: `${path}.target.apiKeyEnv`, message: "not allowed here" },
      ]);
    }
    try {
      inlineApiKey(spec.target, options.environment);
    } catch (error) {
      throw badInput(`${path}.target.apiKeyEnv: ${(error as Error).message}`, [{ path: `${path}.target.apiKeyEnv`, message: (error as Error).message }]);
    }
  }
}

async function resolveVariants(workspaceId: string, input: CreateRunInputParsed, options: CreateRunOptions): Promise<ResolvedVariant[]> {
  const resolved: ResolvedVariant[] = [];
  for (const [index, spec] of input.variants.entries()) {
    const path = `variants[${index}]`;
    let prompt = spec.prompt as PromptContent | undefined;
    let name: string | null = null;
    let promptId: string | null = null;
    if (spec.versionId) {
      const version = await db.promptVersion.findFirst({
        where: { id: spec.versionId, prompt: { workspaceId } },
        include: { prompt: { select: { name: true } } },
      });
      if (!version) {
        throw badInput(`${path}.versionId: no such prompt version in this workspace`, [{ path: `${path}.versionId`, message: "unknown version" }]);
      }
      name = `${version.prompt.name} v${version.number}`;
      promptId = version.promptId;
      prompt ??= {
        messages: version.messages as unknown as PromptContent["messages"],
        examples: version.examples as unknown as PromptContent["examples"],
        counterexamples: version.counterexamples as unknown as PromptContent["counterexamples"],
        exampleMode: version.exampleMode,
      };
    }
    if (!prompt) throw badInput(`${path}.prompt: a variant needs a prompt version or a prompt`);
    const validation = validatePrompt(prompt);
    const problem = validation.problems[0];
    if (problem) {
      throw badInput(
        `${path}.prompt.${problem.path}: ${problem.message}`,
        validation.problems.map((item) => ({ ...item, path: `${path}.prompt.${item.path}` })),
      );
    }
    await checkTarget(workspaceId, path, spec, options);
    resolved.push({
      label: spec.label ?? `${name ?? (spec.versionId ? "version" : "draft")} · ${spec.model}`,
      versionId: spec.versionId ?? null,
      promptId,
      prompt,
      connectionId: spec.connectionId ?? null,
      target: spec.target ?? null,
      model: spec.model,
      params: spec.params,
      requiredVariables: validation.variables,
    });
  }
  // Labels name the columns of the grid and the compare screen: keep them distinct.
  const seen = new Map<string, number>();
  for (const variant of resolved) {
    const count = (seen.get(variant.label) ?? 0) + 1;
    seen.set(variant.label, count);
    if (count > 1) variant.label = `${variant.label} (${count})`;
  }
  return resolved;
}

/** Every selected case must give every variant the variables its prompt uses; checked before anything is stored. */
async function checkCases(selection: CaseSelection, variants: ResolvedVariant[], judged: boolean): Promise<void> {
  const where = selectionWhere(selection);
  let after: string | null = null;
  for (;;) {
    const rows: { id: string; key: string; variables: Prisma.JsonValue; assertions: Prisma.JsonValue }[] = await db.case.findMany({
      where: after ? { AND: [where, { id: { gt: after } }] } : where,
      orderBy: { id: "asc" },
      take: 2_000,
      select: { id: true, key: true, variables: true, assertions: true },
    });
    for (const row of rows) {
      const variables = (row.variables ?? {}) as Record<string, unknown>;
      for (const [index, variant] of variants.entries()) {
        const missing = variant.requiredVariables.find((name) => !Object.hasOwn(variables, name));
        if (missing) {
          throw badInput(
            `Case "${row.key}" has no variable "${missing}", which the prompt of variants[${index}] (${variant.label}) uses`,
            [{ path: `variants[${index}].prompt`, message: `case "${row.key}" lacks "${missing}"` }],
          );
        }
      }
      if (!judged && JSON.stringify(row.assertions).includes("llm-rubric")) {
        throw badInput(`Case "${row.key}" has an llm-rubric assertion: choose a judge model for this run`, [
          { path: "judge", message: "required by llm-rubric assertions" },
        ]);
      }
    }
    const last = rows.at(-1);
    if (!last || rows.length < 2_000) return;
    after = last.id;
  }
}

/** The feed's "run.started" line, in the transaction that stores the run (one insert, before any cell runs). */
async function recordRunStarted(
  transaction: Prisma.TransactionClient,
  run: {
    workspaceId: string;
    actorId: string | null;
    runId: string;
    name: string;
    suite: { id: string; name: string };
    variants: ResolvedVariant[];
    totalCells: number;
    source: StoredRunConfig["source"];
  },
): Promise<void> {
  const promptIds = [...new Set(run.variants.flatMap((variant) => (variant.promptId ? [variant.promptId] : [])))];
  await recordActivity(
    {
      workspaceId: run.workspaceId,
      kind: "run.started",
      actorId: run.actorId,
      // A run of one prompt's versions belongs to that prompt; a run across prompts lists them in data.promptIds.
      promptId: promptIds.length === 1 ? (promptIds[0] ?? null) : null,
      data: { runId: run.runId, name: run.name, suiteId: run.suite.id, suiteName: run.suite.name, variants: run.variants.length, cells: run.totalCells, source: run.source, promptIds },
    },
    transaction,
  );
}

export function newRunId(): string {
  return `run${randomUUID().replaceAll("-", "").slice(0, 22)}`;
}

/**
 * Validates the input (zod, then every variant's prompt against every selected case's variables, assertions, targets),
 * stores the run with its full configuration and variants (drafts and inline prompts snapshotted into Variant.prompt),
 * and enqueues its cells as chunk jobs. Nothing is stored when anything is invalid.
 */
export async function createRun(
  workspaceId: string,
  userId: string | null,
  rawInput: CreateRunInput,
  options: CreateRunOptions = {},
): Promise<{ id: string }> {
  const input = parseInput(createRunInput, rawInput, "run");
  const suite = await db.suite.findFirst({ where: { id: input.suiteId, workspaceId }, select: { id: true, name: true, assertions: true } });
  if (!suite) throw badInput("suiteId: no such suite in this workspace", [{ path: "suiteId", message: "unknown suite" }]);
  const variants = await resolveVariants(workspaceId, input, options);
  if (input.judge) await checkTarget(workspaceId, "judge", input.judge, options);
  if (!input.judge && JSON.stringify(suite.assertions).includes("llm-rubric")) {
    throw badInput(`The suite "${suite.name}" has llm-rubric assertions: choose a judge model for this run`, [
      { path: "judge", message: "required by llm-rubric assertions" },
    ]);
  }

  const [{ now }] = await db.$queryRaw<{ now: Date }[]>`SELECT now() AS now`.then((rows) => rows as [{ now: Date }]);
  const selection: CaseSelection = {
    suiteId: suite.id,
    createdAt: now,
    ...(input.caseIds ? { caseIds: input.caseIds } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
  };
  const cases = await countSelectedCases(selection);
  if (cases === 0) {
    throw badInput(
      input.caseIds || input.tags ? "No case of the suite matches the selection" : `The suite "${suite.name}" has no cases yet`,
      [{ path: input.caseIds ? "caseIds" : input.tags ? "tags" : "suiteId", message: "no cases" }],
    );
  }
  await checkCases(selection, variants, input.judge !== undefined);

  const id = newRunId();
  const queue = options.privateQueue ? privateQueue(id) : SHARED_QUEUE;
  const totalCells = cases * variants.length * input.repeats;
  const config: StoredRunConfig = {
    input: input as StoredRunConfig["input"],
    queue,
    source: options.source ?? "api",
    casesAsOf: now.toISOString(),
    ...(options.suiteFile !== undefined ? { suiteFile: options.suiteFile } : {}),
  };
  const name = input.name ?? `${suite.name} · ${variants.map((variant) => variant.label).join(" vs ")}`.slice(0, 200);
  await withRoomForRun(workspaceId, options.caps ?? {}, async (transaction) => {
    await transaction.run.create({
      data: {
        id,
        workspaceId,
        suiteId: suite.id,
        name,
        status: "queued",
        config: config as unknown as Prisma.InputJsonValue,
        repeats: input.repeats,
        concurrency: input.concurrency,
        cache: input.cache,
        totalCells,
        createdById: userId,
        variants: {
          create: variants.map((variant, position) => ({
            position,
            label: variant.label,
            versionId: variant.versionId,
            prompt: variant.prompt as unknown as Prisma.InputJsonValue,
            connectionId: variant.connectionId,
            target: variant.target ? (variant.target as Prisma.InputJsonValue) : Prisma.JsonNull,
            model: variant.model,
            params: variant.params as Prisma.InputJsonValue,
          })),
        },
      },
    });
    await recordRunStarted(transaction, { workspaceId, actorId: userId, runId: id, name, suite, variants, totalCells, source: config.source });
  });
  const variantRows = await db.variant.findMany({ where: { runId: id }, orderBy: { position: "asc" }, select: { id: true } });
  await enqueueChunks(
    queue,
    chunksOf(
      id,
      missingCells({ runId: id, selection, variantIds: variantRows.map((row) => row.id), repeats: input.repeats }),
      chunkSize(input.concurrency),
    ),
  );
  return { id };
}
