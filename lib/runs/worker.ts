import type PgBoss from "pg-boss";
import pg from "pg";
import { databaseUrl } from "../env.ts";
import { db } from "../db.ts";
import { messageOf } from "../errors.ts";
import { configuredLimits } from "../configured-limits.ts";
import type { Assertion } from "../assertions/schema.ts";
import { readCache } from "./cache.ts";
import { extendLeases, heldChunk, JobCompletions, type HeldChunk } from "./chunk-jobs.ts";
import { executeCell, prepareCell, type CaseData } from "./execute-cell.ts";
import { finishRunIfDone } from "./finish.ts";
import { CHUNKS_CHANNEL, ensureQueue, getBoss, HEARTBEAT_MS, SHARED_QUEUE, type ChunkJob } from "./queue.ts";
import { Semaphore } from "../llm/semaphore.ts";
import { ResultWriter } from "./result-writer.ts";
import { loadRunContext, type RunContext } from "./run-context.ts";

// A run worker: fetches chunk jobs from pg-boss, runs their cells concurrently under the run's and the connections'
// limits, writes results in batches and completes each job once its results are committed. Any number of workers
// (the web process, `assay worker`, the CLI) share the queue through PostgreSQL.
//
// Durability: a job is completed only after its results are committed, and its lease is extended by a heartbeat. A
// worker that dies leaves its jobs active without heartbeats; pg-boss expires them after CHUNK_EXPIRE_SECONDS and
// hands them out again, and the new holder skips the cells that already have a result. A resume re-queues at once.

export interface WorkerOptions {
  /** queues to work, besides the shared one when `shared` is true */
  queues?: string[];
  /** work the shared queue (default true) */
  shared?: boolean;
  /** cells held (fetched, not finished) at most, over all runs */
  maxHeldCells?: number;
  /** calls in flight at most per workspace, over its runs (default ASSAY_MAX_CELLS_IN_FLIGHT) */
  maxCellsInFlightPerWorkspace?: number;
  /** how often an idle worker looks for work when no notification arrives */
  pollIntervalMs?: number;
  fetch?: typeof fetch;
  environment?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /** called each time this worker has checked whether a run is over (it may just have ended it) */
  onRunChecked?: (runId: string) => void;
}

interface RunEntry {
  context: Promise<RunContext | null>;
  /** the run's concurrency, once its context is loaded */
  concurrency: number | null;
  chunks: number;
  /** chunks held whose results are not all committed yet; at 0 the run may be over */
  unwritten: number;
  idleSince: number | null;
  /** the run was seen cancelled and its context aborted; a chunk that arrives later belongs to a resume */
  aborted: boolean;
}

const DEFAULT_CONCURRENCY_TARGET = 20;
const RUN_CHECK_MS = 1_000;
const IDLE_RUN_TTL_MS = 30_000;

export class RunWorker {
  private boss: PgBoss | null = null;
  private readonly queues = new Set<string>();
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly held = new Map<string, HeldChunk>();
  /** chunks a fetch returned after stop() began: failed back to the queue by stop() without being started */
  private readonly fetchedWhileStopping: { queue: string; jobId: string }[] = [];
  private readonly runs = new Map<string, RunEntry>();
  private readonly workspaceSemaphores = new Map<string, Semaphore>();
  private readonly writer = new ResultWriter((line) => this.log(line));
  private pendingCells = 0;
  private lastChunkSize = 25;
  private wakeUp: () => void = () => undefined;
  private timers: NodeJS.Timeout[] = [];
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private readonly completions = new JobCompletions(() => this.boss, (line) => this.log(line));
  private readonly active = new Set<Promise<void>>();

  constructor(private readonly options: WorkerOptions = {}) {
    if (options.shared !== false) this.queues.add(SHARED_QUEUE);
    for (const queue of options.queues ?? []) this.queues.add(queue);
  }

  /** Without a log option a worker still reports its failures, on stderr. */
  private log(line: string): void {
    if (this.options.log) this.options.log(line);
    else console.error(`[worker] ${line}`);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.boss = await getBoss();
    for (const queue of this.queues) await ensureQueue(this.boss, queue);
    this.running = true;
    // LISTEN gets its own connection; the first fetch does not wait for it (chunks already queued are fetched now),
    // start() does: once it returns, a new run's notification wakes this worker.
    const listening = this.ensureListening();
    this.timers.push(setInterval(() => void extendLeases(this.held, (line) => this.log(line)), HEARTBEAT_MS));
    this.timers.push(setInterval(() => void this.checkRuns(), RUN_CHECK_MS));
    this.loopDone = this.loop();
    await listening;
  }

  /** Stops fetching, abandons cells not yet finished (their chunks come back to the queue), waits for writes. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUp();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    // Taken now: a chunk leaves `held` when its work ends, which the waiting below lets happen.
    const held = [...this.held.values()];
    for (const entry of this.runs.values()) {
      // A context that failed to load was logged and dropped where it was loaded (runEntry); nothing to abort here.
      const context = await entry.context.catch(() => null);
      context?.abort.abort(new Error("worker stopping"));
    }
    await this.loopDone;
    await Promise.allSettled([...this.active]);
    const unstarted = this.fetchedWhileStopping.splice(0);
    // The writer logs a failed batch itself (and rejects its rows); this catches a failure of the flush as such.
    await this.writer.flush().catch((error: unknown) => this.log(`writing the last results at stop failed: ${messageOf(error)}`));
    await this.completions.flush();
    // Chunks not completed go back to the queue now instead of after their lease expires (pg-boss leaves completed
    // ones as they are).
    const boss = this.boss;
    if (boss) {
      for (const chunk of [...held, ...unstarted]) {
        await boss
          .fail(chunk.queue, chunk.jobId, { message: "worker stopped" })
          // Not fatal: the chunk's lease runs out and pg-boss hands it out again, only later.
          .catch((error: unknown) => this.log(`returning chunk ${chunk.jobId} to the queue at stop failed: ${messageOf(error)}`));
      }
    }
    this.held.clear();
    await this.listening;
    await this.listener?.end().catch((error: unknown) => this.log(`closing the LISTEN connection failed: ${messageOf(error)}`));
    this.listener = null;
  }

  addQueue(queue: string): void {
    this.queues.add(queue);
    this.wakeUp();
  }

  removeQueue(queue: string): void {
    this.queues.delete(queue);
  }

  /** Cells fetched and not finished, over all runs. */
  get busyCells(): number {
    return this.pendingCells;
  }

  /** One LISTEN connection attempt at a time; it logs its own failure (the worker then polls). */
  private ensureListening(): Promise<void> {
    this.listening ??= this.listen().finally(() => {
      this.listening = null;
    });
    return this.listening;
  }

  private async listen(): Promise<void> {
    try {
      const client = new pg.Client({ connectionString: databaseUrl(), application_name: "assay-runs-listen" });
      client.on("error", () => {
        // A dropped listener only slows pickup to the polling interval; reconnect on the next poll.
        this.listener = null;
      });
      client.on("notification", (message) => {
        if (!message.payload || this.queues.has(message.payload)) this.wakeUp();
      });
      await client.connect();
      await client.query(`LISTEN ${CHUNKS_CHANNEL}`);
      this.listener = client;
    } catch (error) {
      this.log(`listening for new runs failed (${messageOf(error)}); polling instead`);
    }
  }

  private target(): number {
    let concurrency = 0;
    for (const entry of this.runs.values()) {
      if (entry.chunks > 0) concurrency += entry.concurrency ?? DEFAULT_CONCURRENCY_TARGET;
    }
    // Hold about twice what the runs can have in flight: the next cells are ready the moment slots free up.
    return Math.min(this.options.maxHeldCells ?? 4_000, 2 * Math.max(concurrency, DEFAULT_CONCURRENCY_TARGET));
  }

  private wantsMore(): boolean {
    return this.running && this.pendingCells < this.target();
  }

  private async loop(): Promise<void> {
    const pollMs = this.options.pollIntervalMs ?? 2_000;
    while (this.running) {
      let fetched = 0;
      try {
        if (!this.listener) void this.ensureListening();
        for (const queue of [...this.queues]) {
          if (!this.wantsMore() || !this.boss) break;
          const room = this.target() - this.pendingCells;
          const batchSize = Math.max(1, Math.min(10, Math.ceil(room / this.lastChunkSize)));
          const jobs = await this.boss.fetch<ChunkJob>(queue, { batchSize });
          for (const job of jobs) {
            // A fetch that was in flight when stop() began: its chunks go straight back, never started.
            if (this.running) this.startChunk(queue, job.id, job.data);
            else this.fetchedWhileStopping.push({ queue, jobId: job.id });
          }
          fetched += jobs.length;
        }
      } catch (error) {
        this.log(`fetching chunks failed: ${messageOf(error)}`);
      }
      if (!this.running) break;
      if (fetched > 0 && this.wantsMore()) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, fetched > 0 ? 1_000 : pollMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wakeUp = done;
      });
      this.wakeUp = () => undefined;
    }
  }

  private runEntry(runId: string): RunEntry {
    let entry = this.runs.get(runId);
    // A resumed run gets a fresh context: the old one was aborted when the run was cancelled (its chunks still in
    // flight keep their own entry until they finish).
    if (!entry || entry.aborted) {
      const context = loadRunContext(runId, {
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        ...(this.options.environment ? { environment: this.options.environment } : {}),
        workspaceSemaphore: (workspaceId) => this.workspaceSemaphore(workspaceId),
      });
      const created: RunEntry = { context, concurrency: null, chunks: 0, unwritten: 0, idleSince: null, aborted: false };
      entry = created;
      context.then(
        (loaded) => {
          if (!loaded) return;
          created.concurrency = loaded.concurrency;
          // Knowing the run's concurrency raises how much this worker holds: fetch the next chunks now, while the
          // first cells run, rather than when they finish.
          if (this.wantsMore()) this.wakeUp();
        },
        (error: unknown) => {
          // Each chunk of the run that awaits this context fails with the error too; the cause is logged once here.
          this.log(`loading run ${runId} failed: ${messageOf(error)}`);
          if (this.runs.get(runId) === created) this.runs.delete(runId);
        },
      );
      this.runs.set(runId, entry);
    }
    return entry;
  }

  private workspaceSemaphore(workspaceId: string): Semaphore {
    let semaphore = this.workspaceSemaphores.get(workspaceId);
    if (!semaphore) {
      semaphore = new Semaphore(this.options.maxCellsInFlightPerWorkspace ?? configuredLimits.cellsInFlight);
      this.workspaceSemaphores.set(workspaceId, semaphore);
    }
    return semaphore;
  }

  private startChunk(queue: string, jobId: string, data: ChunkJob): void {
    const chunk = heldChunk(queue, jobId, data.runId, data.cells.length);
    this.held.set(jobId, chunk);
    this.pendingCells += chunk.remaining;
    this.lastChunkSize = Math.max(1, data.cells.length);
    const entry = this.runEntry(data.runId);
    entry.chunks++;
    entry.unwritten++;
    entry.idleSince = null;
    let written = false;
    const checkFinished = () =>
      void entry.context
        .then((context) => (context && !context.abort.signal.aborted ? finishRunIfDone(context.id, context.queue) : undefined))
        .then(() => this.options.onRunChecked?.(data.runId))
        .catch((error: unknown) => this.log(`finishing run ${data.runId}: ${messageOf(error)}`));
    // This worker's results of the run are all committed: the run may be complete (when another worker still holds
    // chunks, the one whose results land last sees it). Checked alongside the job's completion, which saves its
    // commit on the way to "completed"; the check after the last job ends (below) decides the other outcomes, which
    // need this worker's jobs to be done: a failed run, or lost cells queued again.
    const resultsCommitted = (check: boolean) => {
      if (written) return;
      written = true;
      entry.unwritten--;
      if (check && entry.unwritten === 0) checkFinished();
    };
    const work = this.runChunk(chunk, data, entry, resultsCommitted)
      .catch(async (error: unknown) => {
        const message = messageOf(error);
        this.log(`chunk ${jobId} of run ${data.runId} failed: ${message}`);
        if (!chunk.lost && this.running && this.boss) {
          await this.boss
            .fail(queue, jobId, { message })
            // The chunk's failure is logged above; if marking it failed fails too, its lease expires and it is retried.
            .catch((failError: unknown) => this.log(`marking chunk ${jobId} failed did not work: ${messageOf(failError)}`));
        }
      })
      .finally(() => {
        this.held.delete(jobId);
        this.pendingCells -= chunk.remaining;
        chunk.remaining = 0;
        entry.chunks--;
        this.active.delete(work);
        resultsCommitted(false);
        if (entry.chunks === 0) {
          entry.idleSince = Date.now();
          checkFinished();
        }
        if (this.wantsMore()) this.wakeUp();
      });
    this.active.add(work);
  }

  private async runChunk(chunk: HeldChunk, data: ChunkJob, entry: RunEntry, resultsCommitted: (check: boolean) => void): Promise<void> {
    const run = await entry.context;
    if (!run || run.status === "cancelled" || run.abort.signal.aborted) {
      // A chunk of a run resumed just as this worker saw it cancelled: hand it back (pg-boss retries it within a
      // second) so that it runs with a fresh context instead of being completed unrun.
      const current = run ? await db.run.findUnique({ where: { id: run.id }, select: { status: true } }) : null;
      if (current && current.status !== "cancelled") {
        entry.aborted = true;
        throw new Error("the run was resumed while its cancelled context was still loaded; the chunk is retried");
      }
      // Nothing to do for a deleted or cancelled run: the job is finished.
      await this.completions.complete(chunk.queue, chunk.jobId);
      return;
    }
    const caseIds = [...new Set(data.cells.map(([caseId]) => caseId))];
    // The status update (a commit) goes alongside the reads, not before them: the first calls start one fsync sooner.
    const [, cases, existing] = await Promise.all([
      markRunning(run),
      db.case.findMany({ where: { id: { in: caseIds } }, select: { id: true, variables: true, expected: true, assertions: true } }),
      db.result.findMany({ where: { runId: run.id, caseId: { in: caseIds } }, select: { caseId: true, variantId: true, repeat: true } }),
    ]);
    const caseById = new Map<string, CaseData>(
      cases.map((row) => [
        row.id,
        {
          id: row.id,
          variables: (row.variables ?? {}) as Record<string, unknown>,
          expected: row.expected,
          assertions: (row.assertions ?? []) as Assertion[],
        },
      ]),
    );
    const stored = new Set(existing.map((row) => `${row.caseId}/${row.variantId}/${row.repeat}`));
    const todo = data.cells.flatMap(([caseId, position, repeat]) => {
      const variant = run.variants[position];
      const caseData = caseById.get(caseId);
      if (!variant || !caseData || stored.has(`${caseId}/${variant.id}/${repeat}`)) return [];
      return [{ variant, caseData, repeat, prepared: prepareCell(run, variant, caseData) }];
    });
    this.cellsFinished(chunk, data.cells.length - todo.length);
    const keys = todo.flatMap((cell) => (cell.prepared.cacheKey ? [cell.prepared.cacheKey] : []));
    const cache = run.cache ? await readCache(keys) : new Map();

    const writes: Promise<void>[] = [];
    // A cancelled run or a lost chunk stops the chunk's cells, including those still waiting for a slot. (One
    // listener per held chunk on the run's signal; AbortSignal.any kept every chunk's composite alive for the run.)
    const signal = chunk.abort.signal;
    const stopChunk = () => chunk.abort.abort(run.abort.signal.reason);
    if (run.abort.signal.aborted) stopChunk();
    else run.abort.signal.addEventListener("abort", stopChunk, { once: true });
    try {
      await Promise.all(
        todo.map(async ({ variant, caseData, repeat, prepared }) => {
          try {
            if (signal.aborted) return;
            const cached = prepared.cacheKey ? cache.get(prepared.cacheKey) : undefined;
            const outcome = await executeCell(run, variant, caseData, repeat, prepared, cached, signal);
            if (outcome) writes.push(this.writer.add(outcome));
          } finally {
            this.cellsFinished(chunk, 1);
          }
        }),
      );
    } finally {
      run.abort.signal.removeEventListener("abort", stopChunk);
    }
    // The chunk's last rows are committed now rather than after the writer's batching delay: the job is completed
    // only once they are, and the run's end waits on that.
    if (writes.length > 0) void this.writer.flush();
    await Promise.all(writes);
    if (chunk.lost) return;
    if (run.abort.signal.aborted) {
      // Cancelled: the job was cancelled with the run; the cells not run stay missing for a resume.
      return;
    }
    resultsCommitted(true);
    await this.completions.complete(chunk.queue, chunk.jobId);
  }

  private cellsFinished(chunk: HeldChunk, count: number): void {
    if (count <= 0) return;
    chunk.remaining -= count;
    this.pendingCells -= count;
    if (this.wantsMore()) this.wakeUp();
  }

  /** Notices cancelled runs (aborting their calls) and forgets runs idle for a while. */
  private async checkRuns(): Promise<void> {
    const ids = [...this.runs.keys()];
    if (ids.length === 0) return;
    try {
      const rows = await db.run.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
      const statuses = new Map(rows.map((row) => [row.id, row.status]));
      for (const [id, entry] of this.runs) {
        const status = statuses.get(id);
        // A context that failed to load was logged and dropped in runEntry.
        const context = await entry.context.catch(() => null);
        if (context && status && status !== context.status) context.status = status;
        if (!status || status === "cancelled") {
          context?.abort.abort(new Error("run cancelled"));
          entry.aborted = true;
        }
        const forget =
          entry.chunks === 0 && (status === "cancelled" || !status || (entry.idleSince !== null && Date.now() - entry.idleSince > IDLE_RUN_TTL_MS));
        if (forget && this.runs.get(id) === entry) this.runs.delete(id);
      }
    } catch (error) {
      this.log(`checking runs failed: ${messageOf(error)}`);
    }
  }
}

async function markRunning(run: RunContext): Promise<void> {
  if (run.status === "running") return;
  run.status = "running";
  // A resumed run keeps its first start: elapsed time then includes the pause, which is the honest figure.
  await db.$executeRaw`UPDATE "Run" SET status = 'running', "startedAt" = coalesce("startedAt", now()) WHERE id = ${run.id} AND status = 'queued'`;
}
