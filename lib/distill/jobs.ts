import type PgBoss from "pg-boss";
import { messageOf } from "../errors.ts";
import { getBoss } from "../runs/queue.ts";
import { advanceDistillation } from "./pipeline.ts";

// The distillation's pg-boss job (queue assay-distill): enqueued when the distillation is created, it waits for the
// teacher run to end (an ordinary run, worked by the run workers), then collects the rows, trains and measures, all
// in the one job (pipeline.ts advanceDistillation, which picks up from the stored state, so a retried job resumes).
// Chosen over a hook at the run's end: lib/runs stays unaware of distillations, and the job is durable on its own —
// a worker that dies mid-way leaves the job to expire and be retried by another worker.

export const DISTILL_QUEUE = "assay-distill";
/** Distillations worked at once by one process (waiting on teacher runs costs nothing; training takes a core). */
const WORKERS = 2;

interface DistillJob {
  distillationId: string;
}

let queueReady: Promise<void> | null = null;

async function ensureDistillQueue(boss: PgBoss): Promise<void> {
  queueReady ??= boss
    .createQueue(DISTILL_QUEUE, {
      name: DISTILL_QUEUE,
      retryLimit: 2,
      retryDelay: 5,
      // A job waits for its teacher run and then trains: hours at most; a dead worker's job comes back after this.
      expireInSeconds: 4 * 3600,
      retentionMinutes: 60 * 24,
    })
    .catch((error: unknown) => {
      queueReady = null;
      throw error;
    });
  await queueReady;
}

export async function enqueueDistillation(distillationId: string): Promise<void> {
  const boss = await getBoss();
  await ensureDistillQueue(boss);
  await boss.send(DISTILL_QUEUE, { distillationId } satisfies DistillJob, { singletonKey: distillationId, retryLimit: 2, expireInSeconds: 4 * 3600 });
}

/** Works the assay-distill queue in this process (the web process's background worker, `assay worker`). */
export class DistillWorker {
  private readonly workIds: string[] = [];
  private readonly controller = new AbortController();
  private readonly active = new Set<Promise<void>>();

  constructor(private readonly log: (line: string) => void = (line) => console.error(`[distill] ${line}`)) {}

  async start(): Promise<void> {
    const boss = await getBoss();
    await ensureDistillQueue(boss);
    for (let index = 0; index < WORKERS; index++) {
      this.workIds.push(
        await boss.work<DistillJob>(DISTILL_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          for (const job of jobs) {
            const work = advanceDistillation(job.data.distillationId, { signal: this.controller.signal, log: this.log });
            this.active.add(work);
            try {
              await work;
            } catch (error) {
              this.log(`distillation ${job.data.distillationId}: ${messageOf(error)}`);
              throw error;
            } finally {
              this.active.delete(work);
            }
          }
        }),
      );
    }
  }

  /** Stops taking jobs; a job in progress stops at its next epoch and is retried by another worker later. */
  async stop(): Promise<void> {
    this.controller.abort(new Error("worker stopping"));
    const boss = await getBoss();
    for (const id of this.workIds.splice(0)) await boss.offWork({ id });
    await Promise.allSettled([...this.active]);
  }
}
