import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { clientChunk, upstreamError } from "../gateway/upstream.ts";
import { limitedCall, type LimitedTarget } from "../llm/limited-call.ts";
import type { CallResult, ChatMessage, ChatParams, ResponseFormat } from "../llm/types.ts";
import { invalidRequest, modelNotFound } from "../local-models/api-errors.ts";
import { SseWriter } from "../local-models/sse.ts";
import type { Prediction } from "./classifier.ts";
import {
  confidenceOf,
  lastUserText,
  parseChatRequest,
  parseCompletionRequest,
  promptOf,
  sendJson,
  sendStudentChat,
  sendStudentCompletion,
  studentNamed,
  type ChatRequest,
  type ServedStudent,
  type StudentSource,
} from "./serve-student.ts";
import { CASCADE_PREFIX } from "./types.ts";

// `cascade:<name>` on the model server: the classifier student answers when its confidence (its answer's probability;
// for a fields task the lowest head's) is at least the Student's cascadeThreshold; otherwise the server calls the
// student's teacher (Student.teacherConnectionId × teacherModel, the workspace's connection with its decrypted key)
// through limitedCall — the one call path, with the connection's concurrency and RPM/TPM limits — with the request's
// messages and parameters, and answers with the teacher's answer (a stream passed through as it arrives; usage the
// teacher's). Who answered is in the headers `x-assay-cascade: student|teacher`, `x-assay-cascade-confidence` and
// `x-assay-cascade-threshold`, and in a non-standard `cascade` field of the body (of the last chunk when streamed by
// the student; the teacher's stream is passed through untouched). See docs/students.md.
//
// The teacher is called once (maxRetries 0, like the gateway): a streamed answer cannot be replayed, and the client
// (the openai SDK retries 429 and 5xx by default) decides whether to try again.

export const CASCADE_HEADER = "x-assay-cascade";
export const CASCADE_CONFIDENCE_HEADER = "x-assay-cascade-confidence";
export const CASCADE_THRESHOLD_HEADER = "x-assay-cascade-threshold";

export interface CascadeFacts {
  answeredBy: "student" | "teacher";
  confidence: number;
  threshold: number;
}

function headersOf(facts: CascadeFacts): Record<string, string> {
  return {
    [CASCADE_HEADER]: facts.answeredBy,
    [CASCADE_CONFIDENCE_HEADER]: String(facts.confidence),
    [CASCADE_THRESHOLD_HEADER]: String(facts.threshold),
  };
}

async function cascadeStudent(model: string, workspaceId: string | null, source: StudentSource): Promise<ServedStudent & { classifier: NonNullable<ServedStudent["classifier"]>; cascade: NonNullable<ServedStudent["cascade"]> }> {
  const student = await studentNamed(model, workspaceId, source, CASCADE_PREFIX);
  // A student without a teacher and a threshold (or an lm student) has no cascade: the name does not exist.
  if (!student.classifier || !student.cascade || !workspaceId) throw modelNotFound(model);
  return student as ServedStudent & { classifier: NonNullable<ServedStudent["classifier"]>; cascade: NonNullable<ServedStudent["cascade"]> };
}

/** Decide: the student's predictions and whether they are confident enough to answer. */
function decide(student: { cascade: { threshold: number } }, predictions: Prediction[]): CascadeFacts {
  const confidence = confidenceOf(predictions);
  const threshold = student.cascade.threshold;
  return { answeredBy: confidence >= threshold ? "student" : "teacher", confidence, threshold };
}

async function teacherOf(student: ServedStudent & { cascade: NonNullable<ServedStudent["cascade"]> }, workspaceId: string, source: StudentSource): Promise<LimitedTarget> {
  if (!source.teacherTarget) throw new Error("This model server has no way to reach a cascade's teacher");
  return source.teacherTarget(workspaceId, student.cascade.connectionId, student.cascade.model);
}

export async function handleCascadeChat(body: unknown, response: ServerResponse, workspaceId: string | null, source: StudentSource): Promise<void> {
  const request = parseChatRequest(body);
  const student = await cascadeStudent(request.model, workspaceId, source);
  const predictions = student.classifier.predict(lastUserText(request.messages));
  const facts = decide(student, predictions);
  if (facts.answeredBy === "student") return sendStudentChat(request, predictions, response, headersOf(facts), { cascade: facts });
  const target = await teacherOf(student, workspaceId!, source);
  await teacherAnswer(target, chatMessages(request.messages), chatParams(body), response, facts, {
    stream: request.stream ?? false,
    includeUsage: streamIncludesUsage(body),
    kind: "chat",
    model: request.model,
  });
}

export async function handleCascadeCompletion(body: unknown, response: ServerResponse, workspaceId: string | null, source: StudentSource): Promise<void> {
  const request = parseCompletionRequest(body);
  const student = await cascadeStudent(request.model, workspaceId, source);
  const prompt = promptOf(request);
  const predictions = student.classifier.predict(prompt);
  const facts = decide(student, predictions);
  if (facts.answeredBy === "student") return sendStudentCompletion(request, predictions, response, headersOf(facts), { cascade: facts });
  const target = await teacherOf(student, workspaceId!, source);
  // The teacher is a chat model: the prompt is its user message.
  await teacherAnswer(target, [{ role: "user", content: prompt }], chatParams(body), response, facts, {
    stream: request.stream ?? false,
    includeUsage: streamIncludesUsage(body),
    kind: "text",
    model: request.model,
    echo: request.echo ? prompt : "",
  });
}

function chatMessages(messages: ChatRequest["messages"]): ChatMessage[] {
  return messages.map((message, index) => {
    const role = message.role === "developer" ? "system" : message.role;
    if (role !== "system" && role !== "user" && role !== "assistant") {
      throw invalidRequest(`messages[${index}].role: a cascade passes system, developer, user and assistant messages to its teacher (got "${message.role}")`, `messages[${index}].role`);
    }
    const content = typeof message.content === "string" ? message.content : (message.content ?? []).map((part) => part.text ?? "").join("");
    return { role, content };
  });
}

const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/** The request's sampling parameters in ChatParams shape (only those it sets). */
function chatParams(body: unknown): ChatParams {
  const raw = body as Record<string, unknown>;
  const params: ChatParams = {};
  const temperature = num(raw.temperature);
  if (temperature !== undefined) params.temperature = temperature;
  const topP = num(raw.top_p);
  if (topP !== undefined) params.topP = topP;
  const maxTokens = num(raw.max_completion_tokens) ?? num(raw.max_tokens);
  if (maxTokens !== undefined) params.maxTokens = maxTokens;
  if (typeof raw.stop === "string") params.stop = [raw.stop];
  else if (Array.isArray(raw.stop) && raw.stop.every((item) => typeof item === "string")) params.stop = raw.stop as string[];
  const seed = num(raw.seed);
  if (seed !== undefined) params.seed = seed;
  const format = raw.response_format as { type?: unknown; json_schema?: { name?: unknown; schema?: unknown; strict?: unknown } } | null | undefined;
  if (format && (format.type === "json_object" || format.type === "text")) params.responseFormat = { type: format.type } as ResponseFormat;
  else if (format?.type === "json_schema" && format.json_schema && typeof format.json_schema.name === "string") {
    params.responseFormat = {
      type: "json_schema",
      name: format.json_schema.name,
      schema: (format.json_schema.schema as object | undefined) ?? {},
      ...(typeof format.json_schema.strict === "boolean" ? { strict: format.json_schema.strict } : {}),
    };
  }
  return params;
}

function streamIncludesUsage(body: unknown): boolean {
  const options = (body as { stream_options?: { include_usage?: unknown } | null }).stream_options;
  return options?.include_usage === true;
}

function abortOnDisconnect(response: ServerResponse): AbortController {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) controller.abort(new Error("client disconnected"));
  });
  return controller;
}

function usageOf(result: CallResult) {
  const prompt = result.usage.inputTokens ?? 0;
  const completion = result.usage.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function finishOf(result: CallResult, streamed: string | null): string {
  if (streamed) return streamed;
  return result.finishReason === "unknown" || result.finishReason === "error" || result.finishReason === "cancelled" ? "stop" : result.finishReason;
}

/**
 * The teacher's answer, as the request's wire format. Not streamed: one completion with the teacher's usage. Streamed:
 * a chat request gets the teacher's chunks as they arrive (usage only when asked); a text completion gets each chunk's
 * content as a text_completion chunk. A failure before the first chunk is answered with the provider's status and
 * error (OpenAI's shape, so the SDK raises its usual error); after it, the stream ends with an error event.
 */
async function teacherAnswer(
  target: LimitedTarget,
  messages: ChatMessage[],
  params: ChatParams,
  response: ServerResponse,
  facts: CascadeFacts,
  wire: { stream: boolean; includeUsage: boolean; kind: "chat" | "text"; model: string; echo?: string },
): Promise<void> {
  const controller = abortOnDisconnect(response);
  const headers = headersOf(facts);
  const created = Math.floor(Date.now() / 1000);
  const fallbackId = `${wire.kind === "chat" ? "chatcmpl" : "cmpl"}-${randomUUID()}`;
  if (!wire.stream) {
    const { result } = await limitedCall(target, messages, params, { run: null }, { maxRetries: 0, signal: controller.signal });
    if (result.error) return sendProviderError(response, result, headers);
    const model = result.raw?.model ?? target.target.model;
    const id = result.raw?.id ?? fallbackId;
    const usage = usageOf(result);
    const finish = finishOf(result, null);
    const body =
      wire.kind === "chat"
        ? { id, object: "chat.completion", created, model, choices: [{ index: 0, message: { role: "assistant", content: result.output, refusal: null }, logprobs: null, finish_reason: finish }], usage, cascade: facts }
        : { id, object: "text_completion", created, model, choices: [{ index: 0, text: (wire.echo ?? "") + result.output, logprobs: null, finish_reason: finish }], usage, cascade: facts };
    return sendJson(response, body, headers);
  }

  const sse = new SseWriter(response);
  let started = false;
  let streamedFinish: string | null = null;
  const start = () => {
    if (started) return;
    started = true;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    sse.start();
    if (wire.kind === "text" && wire.echo) sse.send({ id: fallbackId, object: "text_completion", created, model: target.target.model, choices: [{ index: 0, text: wire.echo, logprobs: null, finish_reason: null }] });
  };
  const onChunk = (chunk: ChatCompletionChunk) => {
    const reason = chunk.choices?.[0]?.finish_reason;
    if (reason) streamedFinish = reason;
    start();
    if (wire.kind === "chat") {
      const forwarded = clientChunk(chunk, wire.includeUsage);
      if (forwarded) sse.send(forwarded);
      return;
    }
    const choice = chunk.choices?.[0];
    if (choice) sse.send({ id: chunk.id, object: "text_completion", created: chunk.created, model: chunk.model, choices: [{ index: 0, text: choice.delta?.content ?? "", logprobs: null, finish_reason: choice.finish_reason ?? null }] });
    else if (wire.includeUsage && chunk.usage) sse.send({ id: chunk.id, object: "text_completion", created: chunk.created, model: chunk.model, choices: [], usage: chunk.usage });
  };
  const { result } = await limitedCall(target, messages, params, { run: null }, { maxRetries: 0, signal: controller.signal, onChunk });
  if (result.error) {
    if (!started) return sendProviderError(response, result, headers);
    if (result.error.kind === "cancelled") return; // the client left: nobody to tell
    const error = upstreamError(result.error);
    console.error(`[serve-model] ${wire.model}: the teacher failed mid-stream: ${result.error.message}`);
    sse.send(error.body());
    sse.end();
    return;
  }
  if (!started) {
    // The teacher answered with one whole completion (some servers ignore `stream`): sent as chunks.
    start();
    const model = result.raw?.model ?? target.target.model;
    const id = result.raw?.id ?? fallbackId;
    const finish = finishOf(result, streamedFinish);
    if (wire.kind === "chat") {
      sse.send({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta: { role: "assistant", content: result.output }, logprobs: null, finish_reason: null }] });
      sse.send({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finish }] });
      if (wire.includeUsage) sse.send({ id, object: "chat.completion.chunk", created, model, choices: [], usage: usageOf(result) });
    } else {
      sse.send({ id, object: "text_completion", created, model, choices: [{ index: 0, text: result.output, logprobs: null, finish_reason: finish }] });
    }
  }
  sse.end();
}

function sendProviderError(response: ServerResponse, result: CallResult, headers: Record<string, string>): void {
  if (result.error!.kind === "cancelled") {
    // The client disconnected while the teacher was being called: the socket is gone.
    response.destroy();
    return;
  }
  const error = upstreamError(result.error!);
  sendJson(response, error.body(), { ...headers, ...error.headers }, error.status);
}
