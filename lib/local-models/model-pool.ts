import { readdir } from "node:fs/promises";
import path from "node:path";
import {
  resolveChatWrapper,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { OpenAiApiError, modelLoading, modelNotFound } from "./api-errors.ts";
import { readGgufInfo } from "./gguf-info.ts";
import { SequenceSlots } from "./sequence-slots.ts";

// Which models exist (the .gguf files of the models folder, plus any registered elsewhere), which are loaded, and
// the slots requests run in. Loading is lazy; the loaded set stays under a memory budget by unloading the least
// recently used idle model; a model nobody used for idleUnloadMs is unloaded.

export interface ModelEntry {
  /** the file name without .gguf (or the registered name) */
  id: string;
  path: string;
  /** the workspaces a registered model is served to; null for the models folder's files, served to every caller */
  workspaceIds: readonly string[] | null;
}

/** What a registration source gives: one row per workspace that registered the file under the name. */
export interface ExtraModel {
  name: string;
  path: string;
  workspaceId: string;
}

export function visibleTo(entry: ModelEntry, workspaceId: string | null): boolean {
  return entry.workspaceIds === null || (workspaceId !== null && entry.workspaceIds.includes(workspaceId));
}

export interface ModelPoolOptions {
  modelsDir: string;
  extraModels?: () => Promise<ExtraModel[]>;
  getLlama: () => Promise<Llama>;
  threads: number;
  /** tokens per sequence; default: the model's training context, at most 4096 */
  contextSize?: number;
  parallelSequences: number;
  memoryBudgetBytes: number;
  idleUnloadMs: number;
  maxQueue: number;
  /** how long a request waits for its model to load before it gets 503 with Retry-After */
  loadWaitMs: number;
}

export interface LoadedModel {
  id: string;
  path: string;
  model: LlamaModel;
  context: LlamaContext;
  chatWrapper: ChatWrapper;
  contextSize: number;
  memoryBytes: number;
  loadMs: number;
  slots: SequenceSlots;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
}

export interface Lease {
  loaded: LoadedModel;
  sequence: LlamaContextSequence;
  release(): void;
}

export interface ModelStatus {
  id: string;
  state: "loaded" | "loading" | "unloaded";
  activeRequests: number;
  queuedRequests: number;
  memoryBytes: number | null;
  contextSize: number | null;
  loadMs: number | null;
}

const DEFAULT_MAX_CONTEXT = 4096;
/** How stale the model list may be when a request names a model that is listed (a miss always re-reads). */
const LIST_MAX_AGE_MS = 1000;

export class ModelPool {
  private readonly loaded = new Map<string, LoadedModel>();
  private readonly loading = new Map<string, Promise<LoadedModel>>();
  private closed = false;
  private listed: { at: number; entries: ModelEntry[] } | undefined;

  constructor(private readonly options: ModelPoolOptions) {}

  /**
   * Every model a request may name: the folder's .gguf files, then registered models whose name no file takes.
   * Re-read when older than `maxAgeMs`, so new files and registrations appear without a restart; a loaded model that
   * is no longer listed (file deleted, registration removed) is unloaded once idle.
   */
  async list(maxAgeMs = 0): Promise<ModelEntry[]> {
    if (this.listed && performance.now() - this.listed.at <= maxAgeMs) return this.listed.entries;
    const entries = new Map<string, ModelEntry>();
    let files: string[] = [];
    try {
      files = await readdir(this.options.modelsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    for (const file of files.sort()) {
      if (!file.endsWith(".gguf")) continue;
      const id = file.slice(0, -".gguf".length);
      entries.set(id, { id, path: path.join(this.options.modelsDir, file), workspaceIds: null });
    }
    for (const extra of (await this.options.extraModels?.()) ?? []) {
      const entry = entries.get(extra.name);
      if (!entry) entries.set(extra.name, { id: extra.name, path: extra.path, workspaceIds: [extra.workspaceId] });
      // Another workspace registered the same file under the same name: one model, served to both.
      else if (entry.workspaceIds !== null && entry.path === extra.path && !entry.workspaceIds.includes(extra.workspaceId)) {
        entries.set(extra.name, { ...entry, workspaceIds: [...entry.workspaceIds, extra.workspaceId] });
      }
    }
    const list = [...entries.values()];
    this.listed = { at: performance.now(), entries: list };
    for (const loaded of this.loaded.values()) {
      if (entries.get(loaded.id)?.path !== loaded.path && !loaded.slots.busy) void this.unload(loaded.id);
    }
    return list;
  }

  /** The models a caller of `workspaceId` (null: no workspace key) may name. */
  async listFor(workspaceId: string | null, maxAgeMs = 0): Promise<ModelEntry[]> {
    return (await this.list(maxAgeMs)).filter((entry) => visibleTo(entry, workspaceId));
  }

  /**
   * The entry for `id` as the caller of `workspaceId` sees it, from a list at most a second old, re-read once
   * before answering 404. Another workspace's model is the same 404 as no model at all.
   */
  async find(id: string, workspaceId: string | null): Promise<ModelEntry> {
    const entry =
      (await this.listFor(workspaceId, LIST_MAX_AGE_MS)).find((candidate) => candidate.id === id) ??
      (await this.listFor(workspaceId)).find((candidate) => candidate.id === id);
    if (!entry) throw modelNotFound(id);
    return entry;
  }

  /** The loaded model, loading it if needed; 503 when the load takes longer than loadWaitMs. */
  async get(id: string, workspaceId: string | null): Promise<LoadedModel> {
    const entry = await this.find(id, workspaceId);
    const ready = this.loaded.get(id);
    if (ready && ready.path === entry.path) return this.touch(ready);
    let pending = this.loading.get(id);
    if (!pending) {
      // Registered again under the same name with another file: the old one goes once its requests finish.
      if (ready) {
        if (ready.slots.busy) throw modelLoading(id, 1);
        await this.unload(id);
      }
      pending = this.load(entry);
      this.loading.set(id, pending);
      pending.then(
        () => this.loading.delete(id),
        () => this.loading.delete(id),
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(modelLoading(id, 1)), this.options.loadWaitMs);
    });
    try {
      return this.touch(await Promise.race([pending, timeout]));
    } finally {
      clearTimeout(timer);
    }
  }

  /** A slot of the model to run one request in. Release it exactly once. */
  async lease(loaded: LoadedModel, signal: AbortSignal, promptTokens?: readonly Token[]): Promise<Lease> {
    // Unloaded (evicted or idle) between get() and now: the client retries and the model loads again.
    if (this.loaded.get(loaded.id) !== loaded) throw modelLoading(loaded.id, 1);
    this.touch(loaded);
    const sequence = await loaded.slots.acquire(signal, promptTokens);
    let released = false;
    return {
      loaded,
      sequence,
      release: () => {
        if (released) return;
        released = true;
        loaded.lastUsed = Date.now();
        loaded.slots.release(sequence);
      },
    };
  }

  status(ids: readonly string[]): ModelStatus[] {
    return ids.map((id) => {
      const loaded = this.loaded.get(id);
      return {
        id,
        state: loaded ? "loaded" : this.loading.has(id) ? "loading" : "unloaded",
        activeRequests: loaded?.slots.active ?? 0,
        queuedRequests: loaded?.slots.queued ?? 0,
        memoryBytes: loaded?.memoryBytes ?? null,
        contextSize: loaded?.contextSize ?? null,
        loadMs: loaded?.loadMs ?? null,
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.loading.values()]);
    await Promise.all([...this.loaded.keys()].map((id) => this.unload(id)));
  }

  private touch(loaded: LoadedModel): LoadedModel {
    loaded.lastUsed = Date.now();
    if (loaded.idleTimer) {
      clearTimeout(loaded.idleTimer);
      delete loaded.idleTimer;
    }
    return loaded;
  }

  private scheduleIdleUnload(loaded: LoadedModel): void {
    if (loaded.idleTimer) clearTimeout(loaded.idleTimer);
    loaded.idleTimer = setTimeout(() => {
      if (!loaded.slots.busy && this.loaded.get(loaded.id) === loaded) void this.unload(loaded.id);
    }, this.options.idleUnloadMs);
    loaded.idleTimer.unref();
  }

  private async unload(id: string): Promise<void> {
    const loaded = this.loaded.get(id);
    if (!loaded) return;
    this.loaded.delete(id);
    if (loaded.idleTimer) clearTimeout(loaded.idleTimer);
    loaded.slots.rejectWaiters(modelLoading(id, 1));
    await loaded.context.dispose();
    await loaded.model.dispose();
  }

  /** Bytes the model will take: weights (≈ the file) plus an F16 KV cache for every sequence. */
  private async estimateBytes(entry: ModelEntry): Promise<{ bytes: number; contextSize: number }> {
    const info = await readGgufInfo(entry.path);
    const contextSize = this.options.contextSize ?? Math.min(info.contextLength ?? DEFAULT_MAX_CONTEXT, DEFAULT_MAX_CONTEXT);
    const embedding = info.embeddingLength ?? 0;
    const kvWidth = info.headCount && info.headCountKv ? (embedding / info.headCount) * info.headCountKv : embedding;
    const kvBytes = 2 * (info.blockCount ?? 0) * contextSize * this.options.parallelSequences * kvWidth * 2;
    return { bytes: info.sizeBytes + kvBytes, contextSize };
  }

  /** Unloads idle models, least recently used first, until `bytes` more fit in the budget. */
  private async makeRoom(id: string, bytes: number): Promise<void> {
    const used = () => [...this.loaded.values()].reduce((sum, loaded) => sum + loaded.memoryBytes, 0);
    const candidates = [...this.loaded.values()].filter((loaded) => !loaded.slots.busy).sort((a, b) => a.lastUsed - b.lastUsed);
    while (used() + bytes > this.options.memoryBudgetBytes && candidates.length > 0) {
      await this.unload(candidates.shift()!.id);
    }
    if (used() + bytes > this.options.memoryBudgetBytes && this.loaded.size > 0) {
      throw new OpenAiApiError(
        "unavailable",
        `Not enough of the memory budget is free to load '${id}' while other models are busy; retry shortly`,
        { openAiCode: "model_memory_busy", retryAfterSeconds: 2 },
      );
    }
  }

  private async load(entry: ModelEntry): Promise<LoadedModel> {
    const started = performance.now();
    const { bytes, contextSize } = await this.estimateBytes(entry);
    await this.makeRoom(entry.id, bytes);
    const llama = await this.options.getLlama();
    const model = await llama.loadModel({ modelPath: entry.path });
    let context: LlamaContext;
    try {
      context = await model.createContext({
        contextSize,
        sequences: this.options.parallelSequences,
        threads: this.options.threads,
      });
    } catch (error) {
      await model.dispose();
      throw error;
    }
    if (this.closed) {
      await context.dispose();
      await model.dispose();
      throw new OpenAiApiError("unavailable", "The model server is shutting down");
    }
    const sequences = Array.from({ length: this.options.parallelSequences }, () => context.getSequence());
    const loaded: LoadedModel = {
      id: entry.id,
      path: entry.path,
      model,
      context,
      chatWrapper: resolveChatWrapper(model),
      contextSize: context.contextSize,
      memoryBytes: Math.max(bytes, model.size + context.stateSize),
      loadMs: performance.now() - started,
      lastUsed: Date.now(),
      slots: new SequenceSlots(sequences, entry.id, this.options.maxQueue, () => this.scheduleIdleUnload(loaded)),
    };
    this.loaded.set(entry.id, loaded);
    this.scheduleIdleUnload(loaded);
    return loaded;
  }
}
