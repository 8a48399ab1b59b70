import pg from "pg";
import { resolveTarget, type ResolvedTarget } from "../connections/service.ts";
import { messageOf } from "../errors.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { LimitedTarget } from "../llm/limited-call.ts";
import type { ChatMessage, ChatParams } from "../llm/types.ts";
import { prepareAssembly } from "../prompts/assemble.ts";
import { assertValidPrompt } from "../prompts/render.ts";
import type { PromptContent, TemplateVariables } from "../prompts/types.ts";
import type { ReleaseRouting } from "../releases/assign.ts";
import { completeConfig, releaseConfigInput, type ReleaseConfig, type ReleaseMode } from "../releases/schema.ts";
import { stagesOf, type Stage } from "../releases/stages.ts";
import { GATEWAY_CHANNEL, type GatewayChange } from "./notify.ts";

// What the gateway routes on, per workspace, in memory: prompts by name with their labels, the live release of each
// (running or paused) with its arms and stage, immutable version snapshots ready to render, connection targets
// resolved once (the decrypted key stays in this process's memory, never logged), and the members' emails for rings.
// Loaded on a workspace's first request; afterwards the answer path never queries the database for routing.
//
// One dedicated pg client LISTENs on GATEWAY_CHANNEL: a notify reloads its workspace (a burst of notifies while a
// reload runs costs one more reload, not one each), "key" drops the workspace's cached keys. The client reconnects
// on error and reloads everything after reconnecting (notifies sent meanwhile are lost); every `refreshMs` (30 s)
// everything is reloaded anyway, the safety net for a notify lost some other way. Requests keep the previous plan
// while a reload runs.

export interface VersionPlan {
  id: string;
  number: number;
  promptId: string;
  params: ChatParams;
  /** the variables the version's templates use, in order */
  variables: string[];
  /** null when the version's templates do not render (problem says why) */
  assemble: ((variables: TemplateVariables) => ChatMessage[]) | null;
  /** null when the version has no connection or its connection cannot be used (problem says why) */
  target: LimitedTarget | null;
  resolved: ResolvedTarget | null;
  problem: string | null;
}

export interface ReleasePlan {
  id: string;
  mode: ReleaseMode;
  state: string;
  stableLabel: string;
  salt: string;
  config: ReleaseConfig;
  stages: Stage[];
  routing: ReleaseRouting;
  /** arm name → version */
  arms: Map<string, VersionPlan>;
  /** every variable any arm uses: a request may send these */
  variables: Set<string>;
}

export interface PromptPlan {
  id: string;
  name: string;
  labels: Map<string, VersionPlan>;
  release: ReleasePlan | null;
}

export interface WorkspacePlan {
  workspaceId: string;
  loadedAt: number;
  prompts: Map<string, PromptPlan>;
  memberEmails: ReadonlySet<string>;
}

export type PlanDb = Pick<PrismaClient, "prompt" | "release" | "membership">;

export interface PlanCacheOptions {
  db: PlanDb;
  /** where the LISTEN client connects; null: no listener (only the periodic refresh) */
  databaseUrl: string | null;
  refreshMs?: number;
  /** a "key" change: the key cache drops the workspace's keys */
  onKeyChange?: (workspaceId: string) => void;
  /** the transport of every upstream call (tests and benchmarks point it at an in-process fake); default fetch */
  fetch?: typeof fetch;
  /** every refresh period, beside the plans (the key cache re-checks its keys) */
  onRefresh?: () => Promise<void>;
  log?: (line: string) => void;
}

type Resolve = (connectionId: string, model: string) => Promise<ResolvedTarget>;

export async function loadWorkspacePlan(db: PlanDb, workspaceId: string, resolve: Resolve): Promise<WorkspacePlan> {
  const versionSelect = {
    id: true,
    number: true,
    promptId: true,
    messages: true,
    examples: true,
    counterexamples: true,
    exampleMode: true,
    connectionId: true,
    model: true,
    params: true,
  } as const;
  const [prompts, releases, members] = await Promise.all([
    db.prompt.findMany({
      where: { workspaceId },
      select: { id: true, name: true, labels: { select: { name: true, version: { select: versionSelect } } } },
    }),
    db.release.findMany({
      where: { workspaceId, state: { in: ["running", "paused"] } },
      select: {
        id: true,
        promptId: true,
        mode: true,
        state: true,
        stableLabel: true,
        salt: true,
        config: true,
        stage: true,
        arms: { orderBy: { position: "asc" }, select: { name: true, version: { select: versionSelect } } },
      },
    }),
    db.membership.findMany({ where: { workspaceId }, select: { user: { select: { email: true } } } }),
  ]);

  const targets = new Map<string, Promise<ResolvedTarget | Error>>();
  const versions = new Map<string, Promise<VersionPlan>>();
  type VersionRow = (typeof prompts)[number]["labels"][number]["version"];
  const snapshot = (row: VersionRow): Promise<VersionPlan> => {
    let plan = versions.get(row.id);
    if (!plan) {
      plan = snapshotVersion(row, (connectionId, model) => {
        const key = `${connectionId}\0${model}`;
        let target = targets.get(key);
        if (!target) {
          target = resolve(connectionId, model).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
          targets.set(key, target);
        }
        return target;
      });
      versions.set(row.id, plan);
    }
    return plan;
  };

  const byId = new Map<string, PromptPlan>();
  const plans = new Map<string, PromptPlan>();
  for (const prompt of prompts) {
    const labels = new Map<string, VersionPlan>();
    for (const label of prompt.labels) labels.set(label.name, await snapshot(label.version));
    const plan: PromptPlan = { id: prompt.id, name: prompt.name, labels, release: null };
    plans.set(prompt.name, plan);
    byId.set(prompt.id, plan);
  }
  for (const release of releases) {
    const prompt = byId.get(release.promptId);
    if (!prompt || release.arms.length === 0) continue;
    const parsed = releaseConfigInput.safeParse(release.config);
    if (!parsed.success) {
      // A release the gateway cannot read routes nothing: its prompt answers from its labels, and the log says why.
      console.error(`[gateway] release ${release.id} has an unreadable config, routing its prompt by label: ${parsed.error.message}`);
      continue;
    }
    const config = completeConfig(parsed.data, release.arms.length);
    const stages = stagesOf(release.mode, config);
    const stage = stages[Math.max(0, Math.min(release.stage, stages.length - 1))]!;
    const arms = new Map<string, VersionPlan>();
    const variables = new Set<string>();
    for (const arm of release.arms) {
      const version = await snapshot(arm.version);
      arms.set(arm.name, version);
      for (const name of version.variables) variables.add(name);
    }
    prompt.release = {
      id: release.id,
      mode: release.mode,
      state: release.state,
      stableLabel: release.stableLabel,
      salt: release.salt,
      config,
      stages,
      routing: { mode: release.mode, salt: release.salt, arms: release.arms.map((arm) => arm.name), stage, config, state: release.state },
      arms,
      variables,
    };
  }
  return {
    workspaceId,
    loadedAt: Date.now(),
    prompts: plans,
    memberEmails: new Set(members.map((member) => member.user.email.toLowerCase())),
  };
}

async function snapshotVersion(
  row: {
    id: string;
    number: number;
    promptId: string;
    messages: unknown;
    examples: unknown;
    counterexamples: unknown;
    exampleMode: "chat" | "inline";
    connectionId: string | null;
    model: string | null;
    params: unknown;
  },
  target: (connectionId: string, model: string) => Promise<ResolvedTarget | Error>,
): Promise<VersionPlan> {
  const content: PromptContent = {
    messages: row.messages as PromptContent["messages"],
    examples: row.examples as PromptContent["examples"],
    counterexamples: row.counterexamples as PromptContent["counterexamples"],
    exampleMode: row.exampleMode,
  };
  const plan: VersionPlan = {
    id: row.id,
    number: row.number,
    promptId: row.promptId,
    params: (row.params ?? {}) as ChatParams,
    variables: [],
    assemble: null,
    target: null,
    resolved: null,
    problem: null,
  };
  try {
    plan.variables = assertValidPrompt(content);
    plan.assemble = prepareAssembly(content);
  } catch (error) {
    plan.problem = `Version ${row.number} does not render: ${messageOf(error)}`;
    return plan;
  }
  if (!row.connectionId || !row.model) {
    plan.problem = `Version ${row.number} has no connection and model: choose them in the prompt editor and save a version.`;
    return plan;
  }
  const resolved = await target(row.connectionId, row.model);
  if (resolved instanceof Error) {
    plan.problem = `Version ${row.number}'s connection cannot be used: ${resolved.message}`;
    return plan;
  }
  plan.resolved = resolved;
  plan.target = {
    target: resolved,
    connectionId: resolved.connectionId,
    limitKey: resolved.connectionId,
    concurrency: resolved.concurrency,
    rpm: resolved.rpm,
    tpm: resolved.tpm,
  };
  return plan;
}

export class PlanCache {
  private readonly plans = new Map<string, WorkspacePlan>();
  private readonly loading = new Map<string, Promise<WorkspacePlan>>();
  private readonly dirty = new Set<string>();
  private readonly options: PlanCacheOptions;
  private readonly log: (line: string) => void;
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 250;
  private closed = false;
  /** reloads done (tests and the bench read it) */
  reloads = 0;

  constructor(options: PlanCacheOptions) {
    this.options = options;
    this.log = options.log ?? ((line) => console.warn(`[gateway] ${line}`));
  }

  /** The workspace's plan: from memory, or loaded (once, however many requests wait for it). */
  get(workspaceId: string): WorkspacePlan | Promise<WorkspacePlan> {
    const plan = this.plans.get(workspaceId);
    if (plan) return plan;
    this.start();
    return this.load(workspaceId);
  }

  private load(workspaceId: string): Promise<WorkspacePlan> {
    const running = this.loading.get(workspaceId);
    if (running) {
      this.dirty.add(workspaceId);
      return running;
    }
    const transport = this.options.fetch;
    const resolve: Resolve = transport
      ? async (connectionId, model) => ({ ...(await resolveTarget(workspaceId, connectionId, model)), fetch: transport })
      : (connectionId, model) => resolveTarget(workspaceId, connectionId, model);
    const promise = loadWorkspacePlan(this.options.db, workspaceId, resolve)
      .then((plan) => {
        if (!this.closed) this.plans.set(workspaceId, plan);
        this.reloads += 1;
        return plan;
      })
      .finally(() => {
        this.loading.delete(workspaceId);
        if (this.dirty.delete(workspaceId) && this.plans.has(workspaceId)) void this.reloadSafely(workspaceId);
      });
    this.loading.set(workspaceId, promise);
    return promise;
  }

  /** Reloads a workspace the process serves (others load on their first request). */
  reload(workspaceId: string): Promise<void> {
    if (!this.plans.has(workspaceId) && !this.loading.has(workspaceId)) return Promise.resolve();
    return this.load(workspaceId).then(() => undefined);
  }

  private async reloadSafely(workspaceId: string): Promise<void> {
    try {
      await this.reload(workspaceId);
    } catch (error) {
      // The previous plan keeps serving; the next notify or the periodic refresh tries again.
      this.log(`reloading workspace ${workspaceId}'s gateway plan failed: ${messageOf(error)}`);
    }
  }

  async reloadAll(): Promise<void> {
    await Promise.all([...this.plans.keys()].map((workspaceId) => this.reloadSafely(workspaceId)));
  }

  /** Starts the LISTEN client and the refresh timer (idempotent; called on the first request). */
  start(): void {
    if (this.closed || this.refreshTimer) return;
    const refreshMs = this.options.refreshMs ?? 30_000;
    this.refreshTimer = setInterval(() => void this.refresh(), refreshMs);
    this.refreshTimer.unref();
    if (this.options.databaseUrl) this.listening = this.connect();
  }

  private async refresh(): Promise<void> {
    await this.reloadAll();
    try {
      await this.options.onRefresh?.();
    } catch (error) {
      this.log(`gateway refresh failed: ${messageOf(error)}`);
    }
  }

  /** Resolves once the listener is connected (or failed once and will retry). Tests await it before notifying. */
  async ready(): Promise<void> {
    this.start();
    await this.listening;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl ?? undefined });
    const lost = (reason: string) => {
      if (this.listener !== client) return;
      this.listener = null;
      // Ending a broken client may fail too; it is being replaced either way.
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.log(`gateway listener lost (${reason}), reconnecting in ${this.reconnectDelay} ms`);
      this.scheduleReconnect();
    };
    client.on("error", (error) => lost(messageOf(error)));
    client.on("end", () => lost("connection ended"));
    client.on("notification", (message) => {
      if (message.channel !== GATEWAY_CHANNEL || !message.payload) return;
      this.onNotify(message.payload);
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${GATEWAY_CHANNEL}`);
      if (this.closed) return;
      const reconnected = this.reconnectDelay > 250;
      this.reconnectDelay = 250;
      if (reconnected) void this.reloadAll();
    } catch (error) {
      lost(messageOf(error));
    }
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closed) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(5_000, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.listening = this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private onNotify(payload: string): void {
    let change: { workspaceId?: unknown; what?: unknown };
    try {
      change = JSON.parse(payload) as typeof change;
    } catch (error) {
      this.log(`ignored a gateway notify that is not JSON (${messageOf(error)}): ${payload.slice(0, 200)}`);
      return;
    }
    if (typeof change.workspaceId !== "string") return;
    const what = change.what as GatewayChange;
    if (what === "key") {
      this.options.onKeyChange?.(change.workspaceId);
      return;
    }
    void this.reloadSafely(change.workspaceId);
  }

  /** Forgets a workspace (tests); its next request loads it again. */
  forget(workspaceId: string): void {
    this.plans.delete(workspaceId);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.refreshTimer = null;
    this.reconnectTimer = null;
    await this.listening;
    const client = this.listener;
    this.listener = null;
    if (client) await client.end();
  }
}
