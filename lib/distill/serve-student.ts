import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import type { PrismaClient } from "../db.ts";
import { invalidRequest, modelNotFound } from "../local-models/api-errors.ts";
import { SseWriter } from "../local-models/sse.ts";
import { answerText, ClassifierStudent, type Prediction } from "./classifier.ts";

// Students on the model server's OpenAI API: `student:<name>` answers a chat or text completion with its class (or,
// for a fields task, a JSON object of its fields) and, when asked, logprobs that are the classifier's own
// probabilities: one entry per head, its top_logprobs the other classes, most probable first. There are no tokens,
// so no usage is reported (clients count it as unknown, not as zero).

export const STUDENT_PREFIX = "student:";

export interface StudentSource {
  /** the names served to a workspace, with when each was made */
  list(workspaceId: string): Promise<{ name: string; createdAt: Date }[]>;
  find(name: string, workspaceId: string): Promise<ClassifierStudent | null>;
}

/** How long a looked-up student is used without asking the database whether it was replaced or removed. */
const FRESH_MS = 1000;

/**
 * Students from the Student table. When the database cannot be reached, the last list read and the students already
 * loaded stay in use (like registered GGUFs), so GET /v1/models still lists the folder's models.
 */
export function studentSource(database: Pick<PrismaClient, "student">, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): StudentSource {
  const cache = new Map<string, { id: string; classifier: ClassifierStudent; checkedAt: number }>();
  const lastLists = new Map<string, { name: string; createdAt: Date }[]>();
  const unreachable = (error: unknown) => log(`[serve-model] Cannot read students (${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim()}); serving those last known.`);
  return {
    async list(workspaceId) {
      try {
        const rows = await database.student.findMany({ where: { workspaceId }, select: { name: true, createdAt: true }, orderBy: { name: "asc" } });
        lastLists.set(workspaceId, rows);
        return rows;
      } catch (error) {
        unreachable(error);
        return lastLists.get(workspaceId) ?? [];
      }
    },
    async find(name, workspaceId) {
      const key = `${workspaceId}\u0000${name}`;
      const cached = cache.get(key);
      const now = Date.now();
      if (cached && now - cached.checkedAt < FRESH_MS) return cached.classifier;
      let row;
      try {
        row = await database.student.findUnique({ where: { workspaceId_name: { workspaceId, name } }, select: { id: true } });
      } catch (error) {
        if (!cached) throw error;
        unreachable(error);
        return cached.classifier;
      }
      if (!row) {
        cache.delete(key);
        return null;
      }
      if (cached && cached.id === row.id) {
        cached.checkedAt = now;
        return cached.classifier;
      }
      const stored = await database.student.findUniqueOrThrow({ where: { id: row.id }, select: { artifact: true } });
      const classifier = ClassifierStudent.deserialize(stored.artifact);
      cache.set(key, { id: row.id, classifier, checkedAt: now });
      return classifier;
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

export async function studentNamed(model: string, workspaceId: string | null, source: StudentSource): Promise<ClassifierStudent> {
  const name = model.slice(STUDENT_PREFIX.length);
  // Students belong to a workspace: a request without a workspace key sees none.
  const student = workspaceId ? await source.find(name, workspaceId) : null;
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

export async function handleStudentChat(body: unknown, response: ServerResponse, workspaceId: string | null, source: StudentSource): Promise<void> {
  const request = parse(chatRequest, body);
  const student = await studentNamed(request.model, workspaceId, source);
  const lastUser = [...request.messages].reverse().find((message) => message.role === "user") ?? request.messages.at(-1)!;
  const predictions = student.predict(textOf(lastUser.content));
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
    const sse = new SseWriter(response);
    const chunk = (delta: object, finish: string | null, withLogprobs: boolean) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model: request.model,
      choices: [{ index: 0, delta, logprobs: withLogprobs ? logprobs : null, finish_reason: finish }],
    });
    sse.send(chunk({ role: "assistant", content: text }, null, true));
    sse.send(chunk({}, "stop", false));
    sse.end();
    return;
  }
  sendJson(response, {
    id,
    object: "chat.completion",
    created,
    model: request.model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs, finish_reason: "stop" }],
  });
}

export async function handleStudentCompletion(body: unknown, response: ServerResponse, workspaceId: string | null, source: StudentSource): Promise<void> {
  const request = parse(completionRequest, body);
  const student = await studentNamed(request.model, workspaceId, source);
  const prompt = typeof request.prompt === "string" ? request.prompt : request.prompt[0]!;
  const predictions = student.predict(prompt);
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
    const sse = new SseWriter(response);
    sse.send({ id, object: "text_completion", created, model: request.model, choices: [choice] });
    sse.end();
    return;
  }
  sendJson(response, { id, object: "text_completion", created, model: request.model, choices: [choice] });
}

function sendJson(response: ServerResponse, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  response.end(json);
}
