import { messageOf } from "../errors.ts";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";

// The gateway's write-behind log. The answer path only pushes rows into memory; a flusher writes them every
// `intervalMs` (100 ms) or as soon as `batchRows` (500) are waiting, all kinds in one transaction (one fsync per
// batch). A failed flush keeps the rows and tries again with backoff. The buffer is bounded: past `maxRows` the
// oldest rows are dropped and counted in a log line, so a database outage cannot take the process's memory with it.
// A clean stop calls flush() until it is empty (lib/runtime/shutdown.ts); a kill -9 loses what arrived since the
// last successful flush: at most one interval of traffic while the database keeps up.
// With `sql` (a pg Pool: what the Gateway passes) a batch is ONE statement — rows sent as one JSON parameter,
// json_populate_recordset into each table, data-modifying CTEs, so it is atomic without BEGIN/COMMIT — instead of
// Prisma's createMany, whose query compiler (wasm) recompiles every batch (~1.9 s CPU per 15 s at saturation).

export type CallRow = Prisma.CallCreateManyInput & { id: string };
export type FeedbackRow = Prisma.GatewayFeedbackCreateManyInput;
export type InteractionRow = Prisma.GatewayInteractionCreateManyInput;

type Entry = { kind: "call"; row: CallRow } | { kind: "feedback"; row: FeedbackRow } | { kind: "interaction"; row: InteractionRow };

/** What the one-statement flush needs of a pg Pool (or Client). */
export interface SqlClient {
  query(text: string, values: unknown[]): Promise<unknown>;
}

export interface CallLogOptions {
  /** Prisma path (createMany in one transaction), used when no `sql` client is given */
  db?: Pick<PrismaClient, "$transaction" | "call" | "gatewayFeedback" | "gatewayInteraction" | "gatewayKey">;
  /** one-statement path on a pg Pool; wins over `db` */
  sql?: SqlClient;
  intervalMs?: number;
  batchRows?: number;
  maxRows?: number;
  /** the most rows one transaction writes */
  maxBatch?: number;
  log?: (line: string) => void;
}

/** What the log knows of a call it issued, for feedback and interactions before (and after) the row is written. */
export interface IssuedCall {
  workspaceId: string;
  /** items of the interleaved list returned, or null when the answer was not interleaved */
  items: number | null;
}

/**
 * An error about the rows themselves (Prisma's P2000–P2023 and validation errors: a foreign key gone, a value too
 * long), not about the database being reachable or busy: retrying the same rows cannot help.
 */
function isDataError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  if ((error as { name?: string }).name === "PrismaClientValidationError") return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return false;
  // pg: SQLSTATE classes 22 (data exception: a value out of range, bad JSON) and 23 (a foreign key gone, NOT NULL)
  if ((error as { severity?: unknown }).severity !== undefined && /^2[23][0-9A-Z]{3}$/.test(code)) return true;
  return /^P20(0\d|1\d|2[0-3])$/.test(code);
}

// Columns with a database default that json_populate_recordset would otherwise fill with NULL (it ignores defaults).
const CALL_DEFAULTS = { source: "playground", connectionName: "", output: "", usageEstimated: false, shadow: false } as const;

function withDefaults<Row extends object>(row: Row, defaults: Record<string, unknown>, now: Date): Row {
  const filled = { ...row } as Record<string, unknown>;
  for (const key in defaults) if (filled[key] === undefined || filled[key] === null) filled[key] = defaults[key];
  if (filled.createdAt === undefined || filled.createdAt === null) filled.createdAt = now;
  return filled as Row;
}

const FLUSH_SQL = `WITH
  c AS (INSERT INTO "Call" SELECT * FROM json_populate_recordset(NULL::"Call", $1::json) ON CONFLICT DO NOTHING RETURNING 1),
  f AS (INSERT INTO "GatewayFeedback" SELECT * FROM json_populate_recordset(NULL::"GatewayFeedback", $2::json) ON CONFLICT DO NOTHING RETURNING 1),
  i AS (INSERT INTO "GatewayInteraction" SELECT * FROM json_populate_recordset(NULL::"GatewayInteraction", $3::json) ON CONFLICT DO NOTHING RETURNING 1),
  k AS (UPDATE "GatewayKey" AS g SET "lastUsedAt" = u.at FROM json_to_recordset($4::json) AS u(id text, at timestamp(3))
        WHERE g.id = u.id AND (g."lastUsedAt" IS NULL OR g."lastUsedAt" < u.at) RETURNING 1)
SELECT 1`;

const KEY_TOUCH_MS = 60_000;
const RECENT_CALLS = 200_000;
const MAX_BACKOFF_MS = 5_000;

export class CallLog {
  private readonly db: CallLogOptions["db"];
  private readonly sql: SqlClient | undefined;
  private readonly intervalMs: number;
  private readonly batchRows: number;
  private readonly maxRows: number;
  private readonly maxBatch: number;
  private readonly log: (line: string) => void;
  private buffer: Entry[] = [];
  /** keys used since their lastUsedAt was last written: key id → when */
  private keyUses = new Map<string, Date>();
  private keyWritten = new Map<string, number>();
  private readonly recent = new Map<string, IssuedCall>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  private retryAt = 0;
  private droppedSinceLog = 0;
  private closed = false;
  /** rows written, rows dropped, flushes that failed (for the bench and the logs) */
  readonly stats = { written: 0, dropped: 0, failedFlushes: 0, batches: 0 };

  constructor(options: CallLogOptions) {
    if (!options.db && !options.sql) throw new Error("CallLog needs a database: db (Prisma) or sql (a pg Pool)");
    this.db = options.db;
    this.sql = options.sql;
    this.intervalMs = options.intervalMs ?? 100;
    this.batchRows = options.batchRows ?? 500;
    this.maxRows = options.maxRows ?? 100_000;
    this.maxBatch = options.maxBatch ?? 2_000;
    this.log = options.log ?? ((line) => console.warn(`[gateway] ${line}`));
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Registers a call id as issued (answer headers carry it before its row is written). */
  issued(callId: string, call: IssuedCall): void {
    this.recent.set(callId, call);
    if (this.recent.size > RECENT_CALLS) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }

  recentCall(callId: string): IssuedCall | undefined {
    return this.recent.get(callId);
  }

  pushCall(row: CallRow): void {
    this.push({ kind: "call", row });
  }

  pushFeedback(row: FeedbackRow): void {
    this.push({ kind: "feedback", row });
  }

  pushInteraction(row: InteractionRow): void {
    this.push({ kind: "interaction", row });
  }

  /** Notes a key's use; its lastUsedAt is written with the next flush, at most once a minute per key. */
  touchKey(keyId: string, at: number = Date.now()): void {
    const written = this.keyWritten.get(keyId);
    if (written !== undefined && at - written < KEY_TOUCH_MS) return;
    this.keyWritten.set(keyId, at);
    this.keyUses.set(keyId, new Date(at));
    this.schedule();
  }

  private push(entry: Entry): void {
    this.buffer.push(entry);
    if (this.buffer.length > this.maxRows) {
      const excess = this.buffer.length - this.maxRows;
      this.buffer.splice(0, excess);
      this.stats.dropped += excess;
      this.droppedSinceLog += excess;
      if (this.droppedSinceLog === excess) {
        // One line per burst of drops (the count so far is in the next line), not one per row.
        setTimeout(() => {
          this.log(`call log full (${this.maxRows} rows waiting): dropped the ${this.droppedSinceLog} oldest rows`);
          this.droppedSinceLog = 0;
        }, 1_000).unref();
      }
    }
    if (this.buffer.length >= this.batchRows && !this.flushing && Date.now() >= this.retryAt) void this.flushSafely();
    else this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const delay = Math.max(this.intervalMs, this.retryAt - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushSafely();
    }, delay);
    this.timer.unref();
  }

  private async flushSafely(): Promise<void> {
    try {
      await this.flushOnce();
    } catch (error) {
      // Kept for the next try: the rows went back into the buffer, the backoff grows.
      this.stats.failedFlushes += 1;
      this.failures += 1;
      const backoff = Math.min(MAX_BACKOFF_MS, this.intervalMs * 2 ** this.failures);
      this.retryAt = Date.now() + backoff;
      this.log(`call log flush failed (${this.buffer.length} rows kept, next try in ${backoff} ms): ${messageOf(error)}`);
    }
    if (this.buffer.length > 0 || this.keyUses.size > 0) this.schedule();
  }

  /** One transaction with what is waiting (at most maxBatch rows); throws when it fails (the rows stay). */
  private flushOnce(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0 && this.keyUses.size === 0) return Promise.resolve();
    const batch = this.buffer.splice(0, this.maxBatch);
    const keyUses = this.keyUses;
    this.keyUses = new Map();
    this.flushing = this.write(batch, keyUses)
      .catch(async (error: unknown) => {
        // A row the database refuses (its workspace was deleted meanwhile, a value out of range) would fail every
        // retry of its batch and stall the log: such a batch is written row by row once, and only refused rows go.
        if (!isDataError(error) || batch.length <= 1) throw error;
        const refused: Entry[] = [];
        for (const entry of batch) {
          try {
            await this.write([entry], new Map());
          } catch (rowError) {
            if (!isDataError(rowError)) throw rowError;
            refused.push(entry);
            this.log(`call log dropped a ${entry.kind} row the database refuses: ${messageOf(rowError)}`);
          }
        }
        this.stats.dropped += refused.length;
        if (keyUses.size > 0) await this.write([], keyUses);
      })
      .then(() => {
        this.stats.written += batch.length;
        this.stats.batches += 1;
        this.failures = 0;
        this.retryAt = 0;
      })
      .catch((error: unknown) => {
        // Back at the front, in order, so a retry writes them first; the bound still applies.
        this.buffer = [...batch, ...this.buffer];
        for (const [keyId, at] of keyUses) if (!this.keyUses.has(keyId)) this.keyUses.set(keyId, at);
        if (this.buffer.length > this.maxRows) {
          const excess = this.buffer.length - this.maxRows;
          this.buffer.splice(0, excess);
          this.stats.dropped += excess;
        }
        throw error;
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  private write(batch: readonly Entry[], keyUses: ReadonlyMap<string, Date>): Promise<unknown> {
    const calls: CallRow[] = [];
    const feedback: FeedbackRow[] = [];
    const interactions: InteractionRow[] = [];
    for (const entry of batch) {
      if (entry.kind === "call") calls.push(entry.row);
      else if (entry.kind === "feedback") feedback.push(entry.row);
      else interactions.push(entry.row);
    }
    if (this.sql) {
      if (calls.length + feedback.length + interactions.length + keyUses.size === 0) return Promise.resolve();
      const now = new Date();
      return this.sql.query(FLUSH_SQL, [
        JSON.stringify(calls.map((row) => withDefaults(row, CALL_DEFAULTS, now))),
        JSON.stringify(feedback.map((row) => withDefaults(row, { comment: "" }, now))),
        JSON.stringify(interactions.map((row) => withDefaults(row, {}, now))),
        JSON.stringify([...keyUses].map(([id, at]) => ({ id, at }))),
      ]);
    }
    const db = this.db!;
    const operations: Prisma.PrismaPromise<unknown>[] = [];
    if (calls.length > 0) operations.push(db.call.createMany({ data: calls, skipDuplicates: true }));
    if (feedback.length > 0) operations.push(db.gatewayFeedback.createMany({ data: feedback, skipDuplicates: true }));
    if (interactions.length > 0) operations.push(db.gatewayInteraction.createMany({ data: interactions, skipDuplicates: true }));
    for (const [keyId, at] of keyUses) {
      operations.push(db.gatewayKey.updateMany({ where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] }, data: { lastUsedAt: at } }));
    }
    return operations.length === 0 ? Promise.resolve() : db.$transaction(operations);
  }

  /** Writes everything waiting now (a clean stop, a test); throws when a write fails (the rows stay for the next try). */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing.catch(() => undefined); // its failure is reported by its own caller
    while (this.buffer.length > 0 || this.keyUses.size > 0) await this.flushOnce();
  }

  /** Stops the timer and writes everything; further rows are still accepted and written by flush(). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
