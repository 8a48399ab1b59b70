import pg from "pg";
import { databaseUrl } from "../env.ts";
import { db as defaultDb } from "../db.ts";
import { messageOf } from "../errors.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { getScorer, type Scorer } from "../releases/scoring.ts";
import { registerShutdownHook } from "../runtime/shutdown.ts";
import { KeyCache, type GatewayPrincipal } from "./auth.ts";
import { CallLog } from "./call-log.ts";
import { chatCompletions, type ChatRuntime } from "./chat.ts";
import { errorResponse, GatewayError, jsonResponse } from "./errors.ts";
import { postFeedback, postInteraction } from "./feedback.ts";
import { PlanCache } from "./plan-cache.ts";
import type { Route } from "./route.ts";
import { DEFAULT_LABEL } from "./route.ts";

// The gateway as one framework-agnostic handler, (Request) => Promise<Response>: the Next routes under
// app/api/gateway/v1 call it, and a dedicated listener could mount it as is. One instance per process holds the key
// cache, the plan cache with its LISTEN client, the write-behind call log and the shadow bound; a clean stop
// (lib/runtime/shutdown.ts) waits for detached work, flushes the log and closes the listener.

export const BASE_PATH = "/api/gateway/v1";

export interface GatewayOptions {
  db?: PrismaClient;
  /** the LISTEN client's database; null: no listener */
  databaseUrl?: string | null;
  /** the call log's database (one-statement flushes on a small pg Pool); default DATABASE_URL; null: Prisma's createMany */
  callLogUrl?: string | null;
  /** shadow calls in flight per process before samples are skipped */
  maxShadowInFlight?: number;
  flushIntervalMs?: number;
  refreshMs?: number;
  /** lib/releases/scoring.ts getScorer by default */
  scorer?: typeof getScorer;
  /** the upstream calls' transport (an in-process fake in tests and benchmarks); default fetch */
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

export class Gateway implements ChatRuntime {
  readonly db: PrismaClient;
  readonly keys: KeyCache;
  readonly plans: PlanCache;
  readonly callLog: CallLog;
  private readonly callLogPool: pg.Pool | null;
  private readonly maxShadow: number;
  private shadowInFlight = 0;
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly scorer: NonNullable<GatewayOptions["scorer"]>;
  private readonly logLine: (line: string) => void;
  private lastSkipLog = 0;
  private stopping = false;
  private inFlight = 0;
  /** shadow samples skipped because the bound was reached */
  shadowSkipped = 0;

  constructor(options: GatewayOptions = {}) {
    this.db = options.db ?? defaultDb;
    this.logLine = options.log ?? ((line) => console.warn(`[gateway] ${line}`));
    this.keys = new KeyCache(this.db);
    const callLogUrl = options.callLogUrl === undefined ? databaseUrl() : options.callLogUrl;
    // Connects on the first flush; two connections: one batch is written at a time, the second serves a retry.
    this.callLogPool = callLogUrl ? new pg.Pool({ connectionString: callLogUrl, max: 2 }) : null;
    this.callLogPool?.on("error", (error) => this.logLine(`call log connection failed: ${messageOf(error)}`));
    this.callLog = new CallLog({ db: this.db, sql: this.callLogPool ?? undefined, intervalMs: options.flushIntervalMs, log: this.logLine });
    this.plans = new PlanCache({
      db: this.db,
      databaseUrl: options.databaseUrl === undefined ? databaseUrl() : options.databaseUrl,
      refreshMs: options.refreshMs,
      fetch: options.fetch,
      onKeyChange: (workspaceId) => this.keys.invalidateWorkspace(workspaceId),
      onRefresh: () => this.keys.revalidate(),
      log: this.logLine,
    });
    this.maxShadow = options.maxShadowInFlight ?? 32;
    this.scorer = options.scorer ?? getScorer;
  }

  log(line: string): void {
    this.logLine(line);
  }

  runShadow(task: () => Promise<void>): boolean {
    if (this.shadowInFlight >= this.maxShadow) {
      this.shadowSkipped += 1;
      const now = Date.now();
      if (now - this.lastSkipLog > 10_000) {
        this.lastSkipLog = now;
        this.logLine(`shadow sample skipped: ${this.maxShadow} shadow calls in flight (${this.shadowSkipped} skipped since start)`);
      }
      return false;
    }
    this.shadowInFlight += 1;
    this.track(
      task()
        .catch((error: unknown) => this.logLine(`shadow call failed: ${messageOf(error)}`))
        .finally(() => {
          this.shadowInFlight -= 1;
        }),
    );
    return true;
  }

  track(task: Promise<unknown>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  scorerFor(workspaceId: string, route: Route): Promise<Scorer | null> {
    const release = route.release;
    if (!release?.config.scoring) return Promise.resolve(null);
    return this.scorer(workspaceId, release.id, release.config.scoring);
  }

  /** The whole gateway: routes by path under /api/gateway/v1, answers every error in OpenAI's shape. */
  async handle(request: Request): Promise<Response> {
    const startedAt = performance.now();
    if (this.stopping) {
      // Answered now, its Call could miss the last flush: the application's SDK retries (another replica, or this
      // one restarted).
      return errorResponse(new GatewayError(503, "The gateway is shutting down; retry.", { type: "server_error", code: "shutting_down", headers: { "retry-after": "1" } }));
    }
    this.inFlight += 1;
    let response: Response;
    try {
      response = await this.answer(request);
    } finally {
      this.inFlight -= 1;
    }
    // Until the answer's headers: what the gateway itself spent, upstream included (the bench compares it with the
    // time the client saw, which adds the web server's own cost).
    response.headers.set("server-timing", `gateway;dur=${(performance.now() - startedAt).toFixed(2)}`);
    return response;
  }

  private async answer(request: Request): Promise<Response> {
    try {
      const path = new URL(request.url).pathname.replace(/\/+$/, "");
      const route = path.startsWith(BASE_PATH) ? path.slice(BASE_PATH.length) : path;
      const endpoint = ENDPOINTS[route];
      if (!endpoint) throw new GatewayError(404, `Unknown gateway endpoint ${route || "/"}: the gateway serves /models, /chat/completions, /feedback and /interactions.`, { code: "unknown_url" });
      if (request.method !== endpoint.method) {
        throw new GatewayError(405, `${route} takes ${endpoint.method}.`, { code: "method_not_allowed", headers: { allow: endpoint.method } });
      }
      const principal = await this.keys.authenticate(request.headers.get("authorization"));
      this.callLog.touchKey(principal.keyId);
      return await endpoint.run(this, principal, request);
    } catch (error) {
      if (error instanceof GatewayError) return errorResponse(error);
      this.logLine(`gateway request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return errorResponse(new GatewayError(500, `The gateway failed: ${messageOf(error)}`, { code: "internal_error" }));
    }
  }

  async models(principal: GatewayPrincipal): Promise<Response> {
    const loaded = this.plans.get(principal.workspaceId);
    const plan = loaded instanceof Promise ? await loaded : loaded;
    const created = Math.floor(plan.loadedAt / 1000);
    const data: { id: string; object: "model"; created: number; owned_by: string }[] = [];
    const sorted = [...plan.prompts.values()].sort((left, right) => left.name.localeCompare(right.name));
    for (const prompt of sorted) {
      if (prompt.release || prompt.labels.has(DEFAULT_LABEL)) data.push({ id: prompt.name, object: "model", created, owned_by: "assay" });
      for (const label of [...prompt.labels.keys()].sort()) data.push({ id: `${prompt.name}@${label}`, object: "model", created, owned_by: "assay" });
    }
    return jsonResponse(200, { object: "list", data });
  }

  /**
   * A clean stop: refuses new requests (503), waits for the requests and detached work in flight (answers, streams,
   * shadow calls, scoring) at most `waitMs`, then writes every logged row and closes the listener. The wait is bounded
   * so a stalled upstream cannot keep the rows already logged from being written within the shutdown cap.
   */
  async close(waitMs = 7_000): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + waitMs;
    while ((this.inFlight > 0 || this.tasks.size > 0) && Date.now() < deadline) {
      const pending = [...this.tasks];
      await Promise.race([Promise.allSettled(pending), new Promise((resolve) => setTimeout(resolve, 20))]);
    }
    if (this.inFlight > 0 || this.tasks.size > 0) {
      this.logLine(`stopping with ${this.inFlight} requests and ${this.tasks.size} background calls still running: their calls are not logged`);
    }
    await this.callLog.close();
    await this.callLogPool?.end();
    await this.plans.close();
  }

  /** Waits for detached work and writes every logged row (tests, the shutdown). */
  async flush(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    await this.callLog.flush();
  }
}

type Endpoint = { method: string; run: (gateway: Gateway, principal: GatewayPrincipal, request: Request) => Promise<Response> };

const ENDPOINTS: Record<string, Endpoint> = {
  "/models": { method: "GET", run: (gateway, principal) => gateway.models(principal) },
  "/chat/completions": { method: "POST", run: (gateway, principal, request) => chatCompletions(gateway, principal, request) },
  "/feedback": { method: "POST", run: (gateway, principal, request) => postFeedback(gateway, principal, request) },
  "/interactions": { method: "POST", run: (gateway, principal, request) => postInteraction(gateway, principal, request) },
};

const globalForGateway = globalThis as unknown as { assayGateway?: Gateway };

/** The process's gateway, made on first use; its clean stop is registered with the shutdown hooks. */
export function getGateway(): Gateway {
  if (!globalForGateway.assayGateway) {
    const gateway = new Gateway();
    globalForGateway.assayGateway = gateway;
    registerShutdownHook("gateway", () => gateway.close());
  }
  return globalForGateway.assayGateway;
}

/** What the routes export: `export const POST = handleGatewayRequest`. */
export function handleGatewayRequest(request: Request): Promise<Response> {
  return getGateway().handle(request);
}
