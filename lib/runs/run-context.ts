import { setMaxListeners } from "node:events";
import type { Assertion } from "../assertions/schema.ts";
import type { Judge } from "../assertions/types.ts";
import { db } from "../db.ts";
import { messageOf } from "../errors.ts";
import type { ChatParams } from "../llm/types.ts";
import type { PromptContent } from "../prompts/types.ts";
import { limitedCall, type CallLimits } from "../llm/limited-call.ts";
import { createJudge, JudgeError } from "./judge.ts";
import { Semaphore } from "../llm/semaphore.ts";
import { resolveCellTarget, type CellTarget, type TargetOptions } from "./targets.ts";
import type { InlineTarget, RunStatus, StoredRunConfig } from "./types.ts";
import { WorkspaceCappedSemaphore } from "./workspace-caps.ts";

// What a worker needs to execute a run's cells, loaded once per run per process: the variants with their resolved
// targets (keys decrypted in memory only), the suite's default assertions, the judge, and the run's own limits.

export interface VariantContext {
  id: string;
  position: number;
  prompt: PromptContent;
  params: ChatParams;
  target: CellTarget | null;
  /** why the target could not be resolved (a deleted connection, a missing environment variable) */
  targetError: string | null;
}

export interface RunContext {
  id: string;
  workspaceId: string;
  status: RunStatus;
  totalCells: number;
  queue: string;
  concurrency: number;
  cache: boolean;
  maxRetries: number;
  suiteAssertions: Assertion[];
  variants: VariantContext[];
  judge: Judge | undefined;
  /** a judge was asked for but cannot be reached */
  judgeError: string | null;
  semaphore: Semaphore;
  /** aborted when the run is cancelled: waiting cells stop and calls in flight are abandoned */
  abort: AbortController;
  /** retries spent by judge calls, per cell, counted into the cell's retries */
  judgeRetries: WeakMap<object, number>;
}

export interface ContextOptions extends TargetOptions {
  /** the workspace's cap on calls in flight in this process, shared by its runs (ASSAY_MAX_CELLS_IN_FLIGHT) */
  workspaceSemaphore?(workspaceId: string): Semaphore;
}

export async function loadRunContext(runId: string, options: ContextOptions): Promise<RunContext | null> {
  const run = await db.run.findUnique({
    where: { id: runId },
    include: { variants: { orderBy: { position: "asc" } }, suite: { select: { assertions: true } } },
  });
  if (!run) return null;
  const config = run.config as unknown as StoredRunConfig;
  const timeoutMs = config.input?.timeoutMs;
  const targetOptions: TargetOptions = {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.environment ? { environment: options.environment } : {}),
  };
  const variants = await Promise.all(
    run.variants.map(async (variant): Promise<VariantContext> => {
      let target: CellTarget | null = null;
      let targetError: string | null = null;
      try {
        target = await resolveCellTarget(
          run.workspaceId,
          { connectionId: variant.connectionId, target: variant.target as InlineTarget | null, model: variant.model },
          targetOptions,
        );
      } catch (error) {
        targetError = messageOf(error);
      }
      return {
        id: variant.id,
        position: variant.position,
        prompt: variant.prompt as unknown as PromptContent,
        params: (variant.params ?? {}) as ChatParams,
        target,
        targetError,
      };
    }),
  );
  const context: RunContext = {
    id: run.id,
    workspaceId: run.workspaceId,
    status: run.status,
    totalCells: run.totalCells,
    queue: config.queue,
    concurrency: run.concurrency,
    cache: run.cache,
    maxRetries: config.input?.maxRetries ?? 3,
    suiteAssertions: (run.suite?.assertions ?? []) as Assertion[],
    variants,
    judge: undefined,
    judgeError: null,
    semaphore: options.workspaceSemaphore
      ? new WorkspaceCappedSemaphore(run.concurrency, options.workspaceSemaphore(run.workspaceId))
      : new Semaphore(run.concurrency),
    abort: new AbortController(),
    judgeRetries: new WeakMap(),
  };
  // Every waiting and running cell of the run listens on this one signal.
  setMaxListeners(0, context.abort.signal);
  const judgeSpec = config.input?.judge;
  if (judgeSpec) {
    try {
      const judgeTarget = await resolveCellTarget(
        run.workspaceId,
        { connectionId: judgeSpec.connectionId ?? null, target: judgeSpec.target ?? null, model: judgeSpec.model },
        targetOptions,
      );
      const limits: CallLimits = { run: context.semaphore };
      context.judge = createJudge(async (messages, cell) => {
        const { result, attempts } = await limitedCall(judgeTarget, messages, judgeSpec.params ?? {}, limits, {
          maxRetries: context.maxRetries,
          signal: context.abort.signal,
        });
        context.judgeRetries.set(cell, (context.judgeRetries.get(cell) ?? 0) + attempts - 1);
        if (result.error) {
          throw new JudgeError(`The judge (${judgeSpec.model}) failed: ${result.error.message}`, `judge_${result.error.kind}`);
        }
        return result.output;
      });
    } catch (error) {
      context.judgeError = messageOf(error);
    }
  }
  return context;
}
