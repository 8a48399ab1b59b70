import PgBoss from "pg-boss";
import { databaseUrl } from "../env.ts";
import { db } from "../db.ts";

// Runs are pg-boss jobs in the same PostgreSQL. A job carries a chunk of cells, not one cell: pg-boss hands out jobs
// at tens per second, while a run needs hundreds of calls per second; the cells of a chunk run concurrently inside
// the worker under the run's and the connections' limits.

/** The queue every worker listens on. */
export const SHARED_QUEUE = "assay-run-chunks";
/** Postgres channel a new chunk is announced on, so idle workers fetch at once instead of at their next poll. */
export const CHUNKS_CHANNEL = "assay_run_chunks";

/**
 * A run whose inline targets read API keys from environment variables can only execute where those variables are:
 * in the CLI process that started it. Its chunks go to a queue of its own that only that process works.
 */
export function privateQueue(runId: string): string {
  return `assay-run-${runId}`;
}

/** One cell: the case, the variant's position in the run, the repeat. */
export type Cell = [caseId: string, variant: number, repeat: number];

export interface ChunkJob {
  runId: string;
  cells: Cell[];
}

/** A stale chunk (its worker died without completing it) comes back after this long without a heartbeat. */
export const CHUNK_EXPIRE_SECONDS = 60;
/** How often a worker extends the lease on the chunks it holds. */
export const HEARTBEAT_MS = 10_000;

const globalForBoss = globalThis as unknown as { assayBoss?: Promise<PgBoss>; assayBossUrl?: string };

/** The process's pg-boss instance, started (and its schema migrated) on first use. */
export function getBoss(): Promise<PgBoss> {
  const url = databaseUrl();
  if (!globalForBoss.assayBoss || globalForBoss.assayBossUrl !== url) {
    globalForBoss.assayBossUrl = url;
    globalForBoss.assayBoss = (async () => {
      const boss = new PgBoss({
        connectionString: url,
        max: 4,
        application_name: "assay-runs",
        // Expiring stale chunks is part of maintenance; it runs on one instance at a time across all processes.
        supervise: true,
        maintenanceIntervalSeconds: 15,
        schedule: false,
      });
      boss.on("error", (error: unknown) => {
        console.error("[runs] pg-boss:", error instanceof Error ? error.message : error);
      });
      await boss.start();
      await ensureQueue(boss, SHARED_QUEUE);
      return boss;
    })();
    // Whoever awaits the start gets its error; this only forgets the failed start so the next call tries again.
    globalForBoss.assayBoss.catch(() => {
      globalForBoss.assayBoss = undefined;
    });
  }
  return globalForBoss.assayBoss;
}

export async function stopBoss(): Promise<void> {
  const pending = globalForBoss.assayBoss;
  globalForBoss.assayBoss = undefined;
  if (!pending) return;
  // A boss that failed to start was reported to whoever started it, and there is nothing to stop.
  const boss = await pending.catch(() => null);
  await boss?.stop({ graceful: false, wait: true, timeout: 1_000 });
}

const knownQueues = new Set<string>();

export async function ensureQueue(boss: PgBoss, name: string): Promise<void> {
  if (knownQueues.has(name)) return;
  for (let attempt = 1; ; attempt++) {
    try {
      // Most starts find the queue there: no DDL then.
      if (!(await boss.getQueue(name))) {
        await boss.createQueue(name, {
          name,
          retryLimit: 50,
          retryDelay: 1,
          retryBackoff: false,
          expireInSeconds: CHUNK_EXPIRE_SECONDS,
          retentionMinutes: 60 * 24,
        });
      }
      break;
    } catch (error) {
      // Several workers starting at once on a fresh database (compose's replicas, bench:scale) create the queue
      // together, and pg-boss 10's create_queue (a partition plus a foreign key) can deadlock: PostgreSQL rolls one
      // back (40P01), and the next attempt finds the queue the other made.
      if ((error as { code?: string }).code !== "40P01" || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
    }
  }
  knownQueues.add(name);
}

/** Inserts chunk jobs in batches and wakes idle workers. */
export async function enqueueChunks(queue: string, chunks: AsyncIterable<ChunkJob> | Iterable<ChunkJob>): Promise<number> {
  const boss = await getBoss();
  await ensureQueue(boss, queue);
  let count = 0;
  let batch: PgBoss.JobInsert[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await boss.insert(batch);
    count += batch.length;
    batch = [];
  };
  for await (const chunk of chunks) {
    batch.push({ name: queue, data: chunk, expireInSeconds: CHUNK_EXPIRE_SECONDS, retryLimit: 50, retryDelay: 1 });
    if (batch.length >= 500) await flush();
  }
  await flush();
  if (count > 0) {
    // A NOTIFY commits a transaction of its own; nothing needs it durable (a lost wake-up is a poll later), so it
    // does not wait for the WAL flush (~20 ms here) before the workers hear of the chunks.
    await db.$transaction([
      db.$executeRawUnsafe("SET LOCAL synchronous_commit TO OFF"),
      db.$executeRawUnsafe(`SELECT pg_notify('${CHUNKS_CHANNEL}', $1)`, queue),
    ]);
  }
  return count;
}

/**
 * Cancels the run's chunks that are waiting or being worked on. A worker holding one notices at its next heartbeat
 * and starts no more of its cells.
 */
export async function cancelChunks(queue: string, runId: string): Promise<number> {
  const boss = await getBoss();
  await ensureQueue(boss, queue);
  // pg-boss has no "cancel by data" call; its job table is documented and stable within a major version (10.x).
  return db.$executeRawUnsafe(
    `UPDATE pgboss.job SET state = 'cancelled', completed_on = now()
     WHERE name = $1 AND state < 'completed' AND data->>'runId' = $2`,
    queue,
    runId,
  );
}

/** Chunks of the run not yet finished: waiting, retrying or held by a worker. */
export async function pendingChunks(queue: string, runId: string): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ count: bigint }[]>(
    `SELECT count(*) AS count FROM pgboss.job WHERE name = $1 AND state < 'completed' AND data->>'runId' = $2`,
    queue,
    runId,
  );
  return Number(rows[0]?.count ?? 0);
}

export async function deleteQueue(name: string): Promise<void> {
  await getBoss();
  // pg-boss 10's delete_queue deletes the queue row before dropping its job partition, and the jobs' foreign key is
  // ON DELETE RESTRICT, which PostgreSQL checks at once even when deferrable: a queue that ever held a job cannot be
  // deleted that way. Its jobs go first, in the same transaction; nothing needs this durable before the exit.
  await db.$transaction([
    db.$executeRawUnsafe("SET LOCAL synchronous_commit TO OFF"),
    db.$executeRawUnsafe("DELETE FROM pgboss.job WHERE name = $1", name),
    db.$executeRawUnsafe("SELECT pgboss.delete_queue($1)", name),
  ]);
  knownQueues.delete(name);
}
