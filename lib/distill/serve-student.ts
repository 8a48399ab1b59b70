import { randomUUID } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import path from "node:path";
import { z } from "zod";
import type { PrismaClient } from "../db.ts";
import { invalidRequest, modelNotFound } from "../local-models/api-errors.ts";
import { SseWriter } from "../local-models/sse.ts";
import type { LimitedTarget } from "../llm/limited-call.ts";
import { answerText, ClassifierStudent, type Prediction } from "./classifier.ts";
import type { StudentKind } from "./types.ts";

// Students on the model server's OpenAI API: `student:<name>` answers a chat or text completion with its class (or,
// for a fields task, a JSON object of its fields) and, when asked, logprobs that are the classifier's own
// probabilities: one entry per head, its top_logprobs the other classes, most probable first. There are no tokens,
// so no usage is reported (clients count it as unknown, not as zero).

export const STUDENT_PREFIX = "student:";

/** What a `cascade:<name>` call falls back to: the Student's teacher, below its threshold. */
export interface CascadeTeacher {
  connectionId: string;
  model: string;
  threshold: number;
}

/** A student as the model server serves it. */
export interface ServedStudent {
  name: string;
  kind: StudentKind;
  /** classifier students; null for lm students (answered by the model pool from `path`) */
  classifier: ClassifierStudent | null;
  /** lm students: the GGUF, absolute */
  path: string | null;
  /** set when the student has a teacher and a threshold: it is also served as cascade:<name> */
  cascade: CascadeTeacher | null;
  /** the Student table, or the models folder's students/<name>.student.json (served to every caller) */
  origin: "database" | "folder";
}

export interface StudentListing {
  name: string;
  createdAt: Date;
  kind: StudentKind;
  cascade: boolean;
}

export interface StudentSource {
  /** the students served to a caller of `workspaceId` (null: no workspace key, the folder's students only) */
  list(workspaceId: string | null): Promise<StudentListing[]>;
  find(name: string, workspaceId: string | null): Promise<ServedStudent | null>;
  /** lm students of every workspace, for the model pool (served as student:<name> to their workspace) */
  lmModels?(): Promise<{ name: string; path: string; workspaceId: string }[]>;
  /** the teacher of a cascade as a call target (its connection, with its decrypted key and limits) */
  teacherTarget?(workspaceId: string, connectionId: string, model: string): Promise<LimitedTarget>;
}

/** How long a looked-up student is used without asking the database whether it was replaced or removed. */
const FRESH_MS = 1000;

export interface StudentSourceOptions {
  /** the models folder: its students/<name>.student.json files are served, and lm students' files are relative to it */
  modelsDir?: string;
  log?: (line: string) => void;
  /** default: the workspace's connection through lib/runs/targets.ts (decrypted key, limits) */
  teacherTarget?: StudentSource["teacherTarget"];
}

const defaultLog = (line: string) => process.stderr.write(`${line}\n`);

type StudentRow = {
  id: string;
  updatedAt: Date;
  kind: string;
  artifact: unknown;
  file: string | null;
  teacherConnectionId: string | null;
  teacherModel: string | null;
  cascadeThreshold: number | null;
};

function cascadeOf(row: Pick<StudentRow, "teacherConnectionId" | "teacherModel" | "cascadeThreshold">): CascadeTeacher | null {
  if (!row.teacherConnectionId || !row.teacherModel || row.cascadeThreshold === null) return null;
  return { connectionId: row.teacherConnectionId, model: row.teacherModel, threshold: row.cascadeThreshold };
}

/**
 * Students from the Student table, and from the models folder's students/ files when `modelsDir` is given (the
 * table's row wins over a file of the same name). When the database cannot be reached, the last list read and the
 * students already loaded stay in use (like registered GGUFs), so GET /v1/models still lists the folder's models.
 */
export function studentSource(
  database: Pick<PrismaClient, "student"> | null,
  optionsOrLog: StudentSourceOptions | ((line: string) => void) = {},
): StudentSource {
  const options: StudentSourceOptions = typeof optionsOrLog === "function" ? { log: optionsOrLog } : optionsOrLog;
  const log = options.log ?? defaultLog;
  const folder = options.modelsDir ? folderStudents(options.modelsDir, log) : null;
  const cache = new Map<string, { id: string; updatedAt: number; served: ServedStudent; checkedAt: number }>();
  const lastLists = new Map<string, StudentListing[]>();
  let lastLmModels: { name: string; path: string; workspaceId: string }[] = [];
  const unreachable = (error: unknown) => log(`[serve-model] Cannot read students (${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim()}); serving those last known.`);
  const fromRow = (name: string, row: StudentRow): ServedStudent => {
    const kind: StudentKind = row.kind === "lm" ? "lm" : "classifier";
    if (kind === "lm") {
      if (!row.file) throw new Error(`The lm student "${name}" has no file`);
      if (!options.modelsDir) throw new Error(`The lm student "${name}" needs the models folder to be served`);
      return { name, kind, classifier: null, path: path.resolve(options.modelsDir, row.file), cascade: null, origin: "database" };
    }
    return { name, kind, classifier: ClassifierStudent.deserialize(row.artifact), path: null, cascade: cascadeOf(row), origin: "database" };
  };
  const select = { id: true, updatedAt: true, kind: true, artifact: true, file: true, teacherConnectionId: true, teacherModel: true, cascadeThreshold: true } as const;
  return {
    async list(workspaceId) {
      const files = folder ? await folder.list() : [];
      let rows: StudentListing[] = [];
      if (workspaceId && database) {
        try {
          const found = await database.student.findMany({
            where: { workspaceId },
            select: { name: true, createdAt: true, kind: true, teacherConnectionId: true, teacherModel: true, cascadeThreshold: true },
            orderBy: { name: "asc" },
          });
          rows = found.map((row) => ({ name: row.name, createdAt: row.createdAt, kind: row.kind === "lm" ? "lm" : "classifier", cascade: row.kind !== "lm" && cascadeOf(row) !== null }));
          lastLists.set(workspaceId, rows);
        } catch (error) {
          unreachable(error);
          rows = lastLists.get(workspaceId) ?? [];
        }
      }
      const taken = new Set(rows.map((row) => row.name));
      return [...rows, ...files.filter((file) => !taken.has(file.name))].sort((a, b) => a.name.localeCompare(b.name));
    },
    async find(name, workspaceId) {
      if (!workspaceId || !database) return folder ? folder.find(name) : null;
      const key = `${workspaceId}\u0000${name}`;
      const cached = cache.get(key);
      const now = Date.now();
      if (cached && now - cached.checkedAt < FRESH_MS) return cached.served;
      let row;
      try {
        row = await database.student.findUnique({ where: { workspaceId_name: { workspaceId, name } }, select: { id: true, updatedAt: true } });
      } catch (error) {
        if (!cached) throw error;
        unreachable(error);
        return cached.served;
      }
      if (!row) {
        cache.delete(key);
        return folder ? folder.find(name) : null;
      }
      if (cached && cached.id === row.id && cached.updatedAt === row.updatedAt.getTime()) {
        cached.checkedAt = now;
        return cached.served;
      }
      const stored = await database.student.findUniqueOrThrow({ where: { id: row.id }, select });
      const served = fromRow(name, stored);
      cache.set(key, { id: row.id, updatedAt: stored.updatedAt.getTime(), served, checkedAt: now });
      return served;
    },
    async lmModels() {
      if (!database || !options.modelsDir) return [];
      try {
        const rows = await database.student.findMany({ where: { kind: "lm", file: { not: null } }, select: { name: true, file: true, workspaceId: true }, orderBy: { createdAt: "asc" } });
        lastLmModels = rows.map((row) => ({ name: `${STUDENT_PREFIX}${row.name}`, path: path.resolve(options.modelsDir!, row.file!), workspaceId: row.workspaceId }));
      } catch (error) {
        unreachable(error);
      }
      return lastLmModels;
    },
    teacherTarget:
      options.teacherTarget ??
      (async (workspaceId, connectionId, model) => {
        const { resolveCellTarget } = await import("../runs/targets.ts");
        return resolveCellTarget(workspaceId, { connectionId, model });
      }),
  };
}

export const STUDENT_FILE_FORMAT = "assay-student-1";
export const STUDENT_FILE_SUFFIX = ".student.json";

/**
 * The models folder's students/<name>.student.json files (`{ format: "assay-student-1", name, task, classes,
 * artifact }`, written by the distillation pipeline), re-read when a file changes. A file that cannot be read as a
 * student is left out with one logged line naming it.
 */
function folderStudents(modelsDir: string, log: (line: string) => void) {
  const directory = path.join(modelsDir, "students");
  const loaded = new Map<string, { mtimeMs: number; served: ServedStudent | null; createdAt: Date }>();
  let listedAt = 0;
  let listing: StudentListing[] = [];
  let directoryMtimeMs = -1;
  async function refresh(): Promise<void> {
    // Re-read at most once a second, and at once when a file was added, renamed or removed (the folder changed).
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(directory)).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      mtimeMs = 0;
    }
    if (mtimeMs === directoryMtimeMs && Date.now() - listedAt < FRESH_MS) return;
    directoryMtimeMs = mtimeMs;
    listedAt = Date.now();
    let files: string[];
    try {
      files = (await readdir(directory)).filter((file) => file.endsWith(STUDENT_FILE_SUFFIX)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      files = [];
    }
    const seen = new Set<string>();
    for (const file of files) {
      const name = file.slice(0, -STUDENT_FILE_SUFFIX.length);
      seen.add(name);
      const filePath = path.join(directory, file);
      let stats;
      try {
        stats = await stat(filePath);
      } catch (error) {
        // Removed between the listing and now: it is simply not served.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      const known = loaded.get(name);
      if (known && known.mtimeMs === stats.mtimeMs) continue;
      let served: ServedStudent | null = null;
      try {
        const data = JSON.parse(await readFile(filePath, "utf8")) as { format?: unknown; name?: unknown; artifact?: unknown };
        if (data.format !== STUDENT_FILE_FORMAT) throw new Error(`format is not "${STUDENT_FILE_FORMAT}"`);
        if (data.name !== name) throw new Error(`its name ${JSON.stringify(data.name)} is not the file's, "${name}"`);
        served = { name, kind: "classifier", classifier: ClassifierStudent.deserialize(data.artifact), path: null, cascade: null, origin: "folder" };
      } catch (error) {
        log(`[serve-model] Not serving ${filePath}: ${error instanceof Error ? error.message : String(error)}`);
      }
      loaded.set(name, { mtimeMs: stats.mtimeMs, served, createdAt: stats.mtime });
    }
    for (const name of [...loaded.keys()]) if (!seen.has(name)) loaded.delete(name);
    listing = [...loaded.entries()]
      .filter(([, entry]) => entry.served)
      .map(([name, entry]) => ({ name, createdAt: entry.createdAt, kind: "classifier" as const, cascade: false }));
  }
  return {
    async list(): Promise<StudentListing[]> {
      await refresh();
      return listing;
    },
    async find(name: string): Promise<ServedStudent | null> {
      await refresh();
      if (!loaded.has(name)) {
        // A file written within the last second: look again before answering 404.
        listedAt = 0;
        await refresh();
      }
      return loaded.get(name)?.served ?? null;
    },
  };
}

const content = z.union([
  z.string(),
  z.array(z.object({ type: z.string(), text: z.string().optional() }).passthrough()),
]).nullish();

const chatRequest = z.object({
  model: z.string(),
  messages: z.array(z.object({ role: z.string(), content }).passthrough()).min(1),
  stream: z.boolean().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
}).passthrough();

const completionRequest = z.object({
  model: z.string(),
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
  stream: z.boolean().nullish(),
  logprobs: z.number().int().min(0).max(5).nullish(),
  echo: z.boolean().nullish(),
}).passthrough();

function textOf(value: z.infer<typeof content>): string {
  if (typeof value === "string") return value;
  return (value ?? []).map((part) => part.text ?? "").join("");
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const param = issue.path.join(".");
    throw invalidRequest(`${param ? `${param}: ` : ""}${issue.message}`, param || undefined);
  }
  return result.data;
}

/** The classifier student a `student:<name>` (or, with `prefix`, `cascade:<name>`) request names, or its 404. */
export async function studentNamed(model: string, workspaceId: string | null, source: StudentSource, prefix = STUDENT_PREFIX): Promise<ServedStudent> {
  const name = model.slice(prefix.length);
  // Students of the Student table belong to a workspace: a request without its key sees only the folder's.
  const student = await source.find(name, workspaceId);
  if (!student) throw modelNotFound(model);
  return student;
}

interface Ranked {
  token: string;
  logprob: number;
}

function ranked(prediction: Prediction): Ranked[] {
  return prediction.probabilities
    .map((probability, index) => ({ token: String(prediction.values[index]), logprob: Math.log(probability) }))
    .sort((a, b) => b.logprob - a.logprob);
}

const bytes = (text: string) => Array.from(Buffer.from(text, "utf8"));

/** The student's confidence in its answer: the answer's probability; for a fields task, the lowest head's. */
export function confidenceOf(predictions: readonly Prediction[]): number {
  return Math.min(...predictions.map((prediction) => Math.max(...prediction.probabilities)));
}

export function lastUserText(messages: ChatRequest["messages"]): string {
  const lastUser = [...messages].reverse().find((message) => message.role === "user") ?? messages.at(-1)!;
  return textOf(lastUser.content);
}

export function parseChatRequest(body: unknown): ChatRequest {
  return parse(chatRequest, body);
}

export function parseCompletionRequest(body: unknown): CompletionRequest {
  return parse(completionRequest, body);
}

export function promptOf(request: CompletionRequest): string {
  return typeof request.prompt === "string" ? request.prompt : request.prompt[0]!;
}

export type ChatRequest = z.infer<typeof chatRequest>;
export type CompletionRequest = z.infer<typeof completionRequest>;

export async function handleStudentChat(body: unknown, response: ServerResponse, workspaceId: string | null, source: StudentSource): Promise<void> {
  const request = parse(chatRequest, body);
  const student = await studentNamed(request.model, workspaceId, source);
  if (!student.classifier) throw modelNotFound(request.model);
  sendStudentChat(request, student.classifier.predict(lastUserText(request.messages)), response);
}

/** A chat completion answered by the student's predictions (streamed or not), with extra headers and body fields. */
export function sendStudentChat(request: ChatRequest, predictions: Prediction[], response: ServerResponse, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): void {
  const text = answerText(predictions);
  const top = request.top_logprobs ?? 0;
  const logprobs = request.logprobs
    ? {
        content: predictions.map((prediction) => {
          const all = ranked(prediction);
          return {
            token: all[0]!.token,
            logprob: all[0]!.logprob,
            bytes: bytes(all[0]!.token),
            top_logprobs: all.slice(0, top).map((entry) => ({ ...entry, bytes: bytes(entry.token) })),
          };
        }),
        refusal: null,
      }
    : null;
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  if (request.stream) {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    const sse = new SseWriter(response);
    const chunk = (delta: object, finish: string | null, withLogprobs: boolean) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model: request.model,
      choices: [{ index: 0, delta, logprobs: withLogprobs ? logprobs : null, finish_reason: finish }],
    });
    sse.send(chunk({ role: "assistant", content: text }, null, true));
    sse.send({ ...chunk({}, "stop", false), ...extra });
    sse.end();
    return;
  }
  sendJson(response, {
    id,
    object: "chat.completion",
    created,
    model: request.model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs, finish_reason: "stop" }],
    ...extra,
  }, headers);
}

export async function handleStudentCompletion(body: unknown, response: ServerResponse, workspaceId: string | null, source: StudentSource): Promise<void> {
  const request = parse(completionRequest, body);
  const student = await studentNamed(request.model, workspaceId, source);
  if (!student.classifier) throw modelNotFound(request.model);
  sendStudentCompletion(request, student.classifier.predict(promptOf(request)), response);
}

export function sendStudentCompletion(request: CompletionRequest, predictions: Prediction[], response: ServerResponse, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): void {
  const prompt = promptOf(request);
  const answer = answerText(predictions);
  const echo = request.echo ? prompt : "";
  const text = echo + answer;
  let logprobs = null;
  if (request.logprobs !== null && request.logprobs !== undefined) {
    // One "token" per head; a fields task's answer is JSON, so offsets point at the whole answer for each head.
    const entries = predictions.map(ranked);
    logprobs = {
      tokens: entries.map((all) => all[0]!.token),
      token_logprobs: entries.map((all) => all[0]!.logprob),
      top_logprobs: entries.map((all) => Object.fromEntries(all.slice(0, request.logprobs!).map((entry) => [entry.token, entry.logprob]))),
      text_offset: entries.map(() => echo.length),
    };
  }
  const id = `cmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const choice = { index: 0, text, logprobs, finish_reason: "stop" };
  if (request.stream) {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    const sse = new SseWriter(response);
    sse.send({ id, object: "text_completion", created, model: request.model, choices: [choice], ...extra });
    sse.end();
    return;
  }
  sendJson(response, { id, object: "text_completion", created, model: request.model, choices: [choice], ...extra }, headers);
}

export function sendJson(response: ServerResponse, body: unknown, headers: Record<string, string> = {}, status = 200): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json), ...headers });
  response.end(json);
}
