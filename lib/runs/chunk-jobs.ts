import type PgBoss from "pg-boss";
import { setMaxListeners } from "node:events";
import { db } from "../db.ts";
import { messageOf } from "../errors.ts";

// A worker's bookkeeping of the pg-boss jobs it holds: the chunks and their leases (extended by a heartbeat, lost
// when the job was cancelled or expired under the worker), and completions sent in batches.

export interface HeldChunk {
  queue: string;
  jobId: string;
  runId: string;
  /** cells of this chunk not finished yet */
  remaining: number;
  /** the job was cancelled or expired under us: start no more of its cells */
  lost: boolean;
  /** aborted when the chunk is lost: its cells waiting for a slot give up, and calls in flight are abandoned */
  abort: AbortController;
}

export function heldChunk(queue: string, jobId: string, runId: string, cells: number): HeldChunk {
  const chunk: HeldChunk = { queue, jobId, runId, remaining: cells, lost: false, abort: new AbortController() };
  // Every cell of the chunk listens to it while it waits for a slot or a call is in flight.
  setMaxListeners(0, chunk.abort.signal);
  return chunk;
}

type Log = (line: string) => void;

/** Extends the lease on held chunks; a chunk cancelled or expired meanwhile is marked lost and its cells stopped. */
export async function extendLeases(held: ReadonlyMap<string, HeldChunk>, log: Log): Promise<void> {
  const byQueue = new Map<string, string[]>();
  for (const chunk of held.values()) {
    const ids = byQueue.get(chunk.queue) ?? [];
    ids.push(chunk.jobId);
    byQueue.set(chunk.queue, ids);
  }
  for (const [queue, ids] of byQueue) {
    try {
      // pg-boss 10 has no heartbeat; moving started_on forward is what its expiry check (started_on + expire_in) reads.
      const alive = await db.$queryRawUnsafe<{ id: string }[]>(
        `UPDATE pgboss.job SET started_on = now() WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active' RETURNING id::text`,
        queue,
        ids,
      );
      const kept = new Set(alive.map((row) => row.id));
      for (const id of ids) {
        const chunk = held.get(id);
        if (chunk && !kept.has(id)) {
          chunk.lost = true;
          chunk.abort.abort(new Error("chunk lost"));
        }
      }
    } catch (error) {
      log(`heartbeat failed: ${messageOf(error)}`);
    }
  }
}

/** Completes jobs in batches: one statement (and commit) for all the chunks finished within a few milliseconds. */
export class JobCompletions {
  private readonly pending = new Map<string, { ids: string[]; waiters: (() => void)[] }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly boss: () => PgBoss | null,
    private readonly log: Log,
  ) {}

  complete(queue: string, jobId: string): Promise<void> {
    return new Promise((resolve) => {
      let entry = this.pending.get(queue);
      if (!entry) {
        entry = { ids: [], waiters: [] };
        this.pending.set(queue, entry);
      }
      entry.ids.push(jobId);
      entry.waiters.push(resolve);
      this.timer ??= setTimeout(() => void this.flush(), 10);
    });
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batches = [...this.pending.entries()];
    this.pending.clear();
    for (const [queue, { ids, waiters }] of batches) {
      try {
        await this.boss()?.complete(queue, ids);
      } catch (error) {
        // The lease runs out and the chunk is retried; its stored cells are skipped then.
        this.log(`completing chunks failed: ${messageOf(error)}`);
      }
      for (const waiter of waiters) waiter();
    }
  }
}
