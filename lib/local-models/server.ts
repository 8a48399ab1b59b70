import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { getLlama, type Llama } from "node-llama-cpp";
import { invalidRequest, OpenAiApiError, toOpenAiError } from "./api-errors.ts";
import { handleChatCompletion, handleCompletion, type InferenceDependencies } from "./completions.ts";
import { MetricsRecorder } from "./metrics.ts";
import { ModelPool, type ExtraModel } from "./model-pool.ts";
import { handleCascadeChat, handleCascadeCompletion } from "../distill/serve-cascade.ts";
import { handleStudentChat, handleStudentCompletion, STUDENT_PREFIX, type StudentSource } from "../distill/serve-student.ts";
import { CASCADE_PREFIX } from "../distill/types.ts";

// Assay's local model server: GGUF models through node-llama-cpp behind the OpenAI HTTP API, on plain node:http.
// `assay serve-model` runs it as its own process, so inference never blocks the web app.

export interface ModelServerOptions {
  modelsDir: string;
  port: number;
  host?: string;
  /** CPU threads per context; default 1 (two threads fight on a 2-core machine) */
  threads?: number;
  /** tokens per sequence; default the model's training context, at most 4096 */
  contextSize?: number;
  /** default: half the machine's memory */
  memoryBudgetBytes?: number;
  /** default 10 minutes */
  idleUnloadMs?: number;
  /** requests waiting for a slot, per model, before 429; default 32 */
  maxQueue?: number;
  /** sequences of one context that run at once, per model; default 4 */
  parallelSequences?: number;
  /** how long a request waits for its model to load before 503 with Retry-After; default 30 s */
  loadWaitMs?: number;
  /**
   * models registered elsewhere (e.g. in Assay's database), in addition to the .gguf files of modelsDir; each is
   * served only to requests whose key `workspaceOfKey` maps to its workspace
   */
  extraModels?: () => Promise<ExtraModel[]>;
  /**
   * The workspace a request's API key (the Bearer token) belongs to: null for a key that is not a workspace key
   * (such requests see the folder's files only); throws for a workspace key that does not verify. Without it no
   * request sees registered models.
   */
  workspaceOfKey?: (apiKey: string) => Promise<string | null>;
  /**
   * distilled students (lib/distill), served as `student:<name>` to requests with their workspace's key (classifier
   * students need no model file or llama.cpp; lm students are GGUFs the pool serves) and, when they have a teacher and
   * a threshold, as `cascade:<name>`; the models folder's students/<name>.student.json files to every caller
   */
  students?: StudentSource;
  /** a Llama instance to share (tests, the bench); by default one is created with build "never" and no GPU */
  llama?: Llama;
}

export interface ModelServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw invalidRequest(`The request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest("The request body is not valid JSON");
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json), ...headers });
  response.end(json);
}

function sendError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    // Too late for a status: the client sees the connection cut; the cause goes to the log.
    console.error("[serve-model] failed after the response started:", error);
    response.destroy();
    return;
  }
  const { status, body, retryAfterSeconds } = toOpenAiError(error);
  if (status >= 500 && !(error instanceof OpenAiApiError)) console.error("[serve-model]", error);
  sendJson(response, status, body, retryAfterSeconds !== undefined ? { "retry-after": String(retryAfterSeconds) } : {});
}

function requestedModel(body: unknown): string | null {
  const model = (body as { model?: unknown } | null)?.model;
  return typeof model === "string" ? model : null;
}

export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  let llamaPromise: Promise<Llama> | undefined;
  const llama = () => {
    llamaPromise ??= options.llama ? Promise.resolve(options.llama) : getLlama({ build: "never", gpu: false });
    return llamaPromise;
  };
  const students = options.students;
  // lm students are GGUF files: the pool serves them as student:<name>, each to its workspace.
  const extraModels =
    students?.lmModels
      ? async () => [...((await options.extraModels?.()) ?? []), ...(await students.lmModels!())]
      : options.extraModels;
  const pool = new ModelPool({
    modelsDir: options.modelsDir,
    ...(extraModels ? { extraModels } : {}),
    getLlama: llama,
    threads: options.threads ?? 1,
    ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
    parallelSequences: options.parallelSequences ?? 4,
    memoryBudgetBytes: options.memoryBudgetBytes ?? Math.floor(os.totalmem() / 2),
    idleUnloadMs: options.idleUnloadMs ?? 10 * 60_000,
    maxQueue: options.maxQueue ?? 32,
    loadWaitMs: options.loadWaitMs ?? 30_000,
  });
  const metrics = new MetricsRecorder();

  async function workspaceOf(request: IncomingMessage): Promise<string | null> {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match || !options.workspaceOfKey) return null;
    return options.workspaceOfKey(match[1]!);
  }

  async function listModels(workspaceId: string | null) {
    const models = await pool.listFor(workspaceId);
    const data = await Promise.all(
      models.map(async (model) => {
        const created = await stat(model.path).then(
          (stats) => Math.floor(stats.mtimeMs / 1000),
          // `created` is informative only; a file gone since the listing is reported when a request loads it.
          () => 0,
        );
        return { id: model.id, object: "model", created, owned_by: "assay-local" };
      }),
    );
    if (students) {
      for (const student of await students.list(workspaceId)) {
        const created = Math.floor(student.createdAt.getTime() / 1000);
        // lm students are listed by the pool (their file)
        if (student.kind === "classifier") data.push({ id: `${STUDENT_PREFIX}${student.name}`, object: "model", created, owned_by: "assay-student" });
        if (student.cascade) data.push({ id: `${CASCADE_PREFIX}${student.name}`, object: "model", created, owned_by: "assay-cascade" });
      }
    }
    return { object: "list", data };
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = request.method ?? "GET";
    const pathname = url.pathname.replace(/\/+$/, "") || "/";
    if (method === "GET" && pathname === "/health") return sendJson(response, 200, { status: "ok" });
    const workspaceId = await workspaceOf(request);
    if (method === "GET" && pathname === "/v1/models") return sendJson(response, 200, await listModels(workspaceId));
    if (method === "GET" && pathname.startsWith("/v1/models/")) {
      const id = decodeURIComponent(pathname.slice("/v1/models/".length));
      const model = (await listModels(workspaceId)).data.find((candidate) => candidate.id === id);
      if (!model) await pool.find(id, workspaceId); // throws the 404
      return sendJson(response, 200, model);
    }
    const dependencies: InferenceDependencies = { pool, metrics, llama, workspaceId };
    if (method === "GET" && pathname === "/metrics") {
      const ids = (await pool.listFor(workspaceId)).map((model) => model.id);
      const measured = metrics.snapshot();
      const models = Object.fromEntries(pool.status(ids).map((status) => [status.id, { ...status, ...measured[status.id] }]));
      return sendJson(response, 200, { models });
    }
    if (method === "POST" && (pathname === "/v1/chat/completions" || pathname === "/v1/completions")) {
      const body = await readJson(request);
      const chat = pathname === "/v1/chat/completions";
      const model = requestedModel(body);
      if (students && model?.startsWith(CASCADE_PREFIX)) {
        return chat ? handleCascadeChat(body, response, workspaceId, students) : handleCascadeCompletion(body, response, workspaceId, students);
      }
      if (students && model?.startsWith(STUDENT_PREFIX)) {
        const student = await students.find(model.slice(STUDENT_PREFIX.length), workspaceId);
        // An lm student is a GGUF in the pool (listed there as student:<name>): real llama.cpp generation.
        if (student?.kind !== "lm") {
          return chat ? handleStudentChat(body, response, workspaceId, students) : handleStudentCompletion(body, response, workspaceId, students);
        }
      }
      return chat ? handleChatCompletion(body, response, dependencies) : handleCompletion(body, response, dependencies);
    }
    sendJson(response, 404, {
      error: { message: `No route ${method} ${url.pathname}`, type: "invalid_request_error", param: null, code: "not_found" },
    });
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => sendError(response, error));
  });
  // Streams can be long; the default request timeout would cut them.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open streams end now; their generations see the disconnect and stop.
      server.closeAllConnections();
      await closed;
      await pool.close();
      if (!options.llama && llamaPromise) await (await llamaPromise).dispose();
    },
  };
}
