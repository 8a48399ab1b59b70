import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Llama } from "node-llama-cpp";
import { generate, type GenerationResult } from "./generate.ts";
import type { MetricsRecorder } from "./metrics.ts";
import type { LoadedModel, ModelPool } from "./model-pool.ts";
import {
  grammarFor,
  prepareChatPrompt,
  prepareTextPrompt,
  stopList,
  tokenLimit,
  type PreparedPrompt,
  type ResponseGrammar,
} from "./prompt.ts";
import { chatCompletionRequest, completionRequest } from "./schema.ts";
import { SseWriter } from "./sse.ts";

// POST /v1/chat/completions and POST /v1/completions: one flow (validate, load, prompt, slot, generate, answer),
// two wire formats. A slot is taken before any byte is sent, so a full queue is still a proper 429; a client that
// disconnects aborts its generation, which frees its slot for the next request.

export interface InferenceDependencies {
  pool: ModelPool;
  metrics: MetricsRecorder;
  llama: () => Promise<Llama>;
  /** the workspace the request's key belongs to; null: only the models folder's files */
  workspaceId: string | null;
}

/** OpenAI's default for the legacy completions endpoint; chat generates until the context is full or the model stops. */
const DEFAULT_COMPLETION_MAX_TOKENS = 16;

interface Plan {
  kind: "chat" | "text";
  model: string;
  stream: boolean;
  includeUsage: boolean;
  prompt: PreparedPrompt;
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number | undefined;
  presencePenalty: number | undefined;
  frequencyPenalty: number | undefined;
  grammar: ResponseGrammar | undefined;
  ignoreEos: boolean;
  /** completions with echo: the prompt text comes first */
  echo: string;
}

function abortOnDisconnect(response: ServerResponse): AbortController {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) controller.abort(new Error("client disconnected"));
  });
  return controller;
}

function usageOf(result: GenerationResult) {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
  };
}

async function planChat(body: unknown, dependencies: InferenceDependencies): Promise<{ plan: Plan; loaded: LoadedModel }> {
  const request = chatCompletionRequest.parse(body);
  // A bad schema is a 400 before anything is loaded.
  const grammar = await grammarFor(await dependencies.llama(), request.response_format);
  const loaded = await dependencies.pool.get(request.model, dependencies.workspaceId);
  const prompt = prepareChatPrompt(loaded, request.messages, stopList(request.stop));
  const requested = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  return {
    loaded,
    plan: {
      kind: "chat",
      model: request.model,
      stream: request.stream ?? false,
      includeUsage: request.stream_options?.include_usage ?? false,
      prompt,
      maxTokens: tokenLimit(loaded, prompt.tokens.length, requested, "messages"),
      temperature: request.temperature ?? 1,
      topP: request.top_p ?? 1,
      seed: request.seed ?? undefined,
      presencePenalty: request.presence_penalty ?? undefined,
      frequencyPenalty: request.frequency_penalty ?? undefined,
      grammar,
      ignoreEos: request.ignore_eos ?? false,
      echo: "",
    },
  };
}

async function planText(body: unknown, dependencies: InferenceDependencies): Promise<{ plan: Plan; loaded: LoadedModel }> {
  const request = completionRequest.parse(body);
  const loaded = await dependencies.pool.get(request.model, dependencies.workspaceId);
  const promptText = typeof request.prompt === "string" ? request.prompt : request.prompt[0]!;
  const prompt = prepareTextPrompt(loaded, promptText, stopList(request.stop));
  return {
    loaded,
    plan: {
      kind: "text",
      model: request.model,
      stream: request.stream ?? false,
      includeUsage: request.stream_options?.include_usage ?? false,
      prompt,
      maxTokens: tokenLimit(loaded, prompt.tokens.length, request.max_tokens ?? DEFAULT_COMPLETION_MAX_TOKENS, "prompt"),
      temperature: request.temperature ?? 1,
      topP: request.top_p ?? 1,
      seed: request.seed ?? undefined,
      presencePenalty: request.presence_penalty ?? undefined,
      frequencyPenalty: request.frequency_penalty ?? undefined,
      grammar: undefined,
      ignoreEos: request.ignore_eos ?? false,
      echo: request.echo ? promptText : "",
    },
  };
}

/** Chat replies start at the first visible character, as hosted chat models' do. */
function trimLeading(kind: Plan["kind"], onText: (text: string) => void): (text: string) => void {
  if (kind !== "chat") return onText;
  let started = false;
  return (text) => {
    if (!started) {
      text = text.trimStart();
      if (text.length === 0) return;
      started = true;
    }
    onText(text);
  };
}

async function run(
  planned: { plan: Plan; loaded: LoadedModel },
  response: ServerResponse,
  dependencies: InferenceDependencies,
): Promise<void> {
  const { plan, loaded } = planned;
  const { pool, metrics } = dependencies;
  const controller = abortOnDisconnect(response);
  const queuedAt = performance.now();
  metrics.requestStarted(plan.model);
  let lease;
  try {
    lease = await pool.lease(loaded, controller.signal, plan.prompt.tokens);
  } catch (error) {
    metrics.requestFailed(plan.model);
    throw error;
  }
  const queueMs = performance.now() - queuedAt;

  const id = `${plan.kind === "chat" ? "chatcmpl" : "cmpl"}-${randomUUID().replaceAll("-", "")}`;
  const created = Math.floor(Date.now() / 1000);
  const object = plan.kind === "chat" ? "chat.completion.chunk" : "text_completion";
  const sse = plan.stream ? new SseWriter(response) : undefined;
  const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id,
    object,
    created,
    model: plan.model,
    choices: [{ index: 0, logprobs: null, ...choice }],
    ...extra,
  });

  let result: GenerationResult;
  try {
    if (sse) {
      sse.start();
      if (plan.kind === "chat") sse.send(chunk({ delta: { role: "assistant", content: "" }, finish_reason: null }));
      if (plan.echo) sse.send(chunk({ text: plan.echo, finish_reason: null }));
    }
    const onText = trimLeading(plan.kind, (text) => {
      if (!sse) return;
      sse.send(chunk(plan.kind === "chat" ? { delta: { content: text }, finish_reason: null } : { text, finish_reason: null }));
    });
    result = await generate(lease.sequence, {
      promptTokens: plan.prompt.tokens,
      maxTokens: plan.maxTokens,
      temperature: plan.temperature,
      topP: plan.topP,
      ...(plan.seed !== undefined ? { seed: plan.seed } : {}),
      ...(plan.presencePenalty !== undefined ? { presencePenalty: plan.presencePenalty } : {}),
      ...(plan.frequencyPenalty !== undefined ? { frequencyPenalty: plan.frequencyPenalty } : {}),
      stopStrings: plan.prompt.stopStrings,
      stopTokens: plan.prompt.stopTokens,
      ...(plan.grammar ? { grammar: plan.grammar.grammar } : {}),
      ignoreEos: plan.ignoreEos,
      signal: controller.signal,
      queueMs,
      onText,
    });
  } catch (error) {
    metrics.requestFailed(plan.model);
    if (sse?.headersSent) {
      // The status line is gone: the error goes into the stream, and to the log.
      sse.fail(error, plan.model);
      return;
    }
    throw error;
  } finally {
    lease.release();
  }
  const cancelled = result.finishReason === "cancelled";
  metrics.requestFinished(plan.model, { ...result, cancelled });
  if (cancelled) return;

  const finishReason = result.finishReason;
  const usage = usageOf(result);
  // Non-standard fields next to OpenAI's: llama-server's `timings`, and schema keywords that were not enforced.
  const warnings = plan.grammar?.ignored.map((item) => `not enforced: ${item}`) ?? [];
  const extra = { timings: result.timings, ...(warnings.length > 0 ? { warnings } : {}) };
  if (sse) {
    sse.send(
      chunk(plan.kind === "chat" ? { delta: {}, finish_reason: finishReason } : { text: "", finish_reason: finishReason }, extra),
    );
    if (plan.includeUsage) {
      sse.send({ id, object, created, model: plan.model, choices: [], usage, ...extra });
    }
    sse.end();
    return;
  }
  const body =
    plan.kind === "chat"
      ? {
          id,
          object: "chat.completion",
          created,
          model: plan.model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: result.text.trimStart(), refusal: null },
              logprobs: null,
              finish_reason: finishReason,
            },
          ],
          usage,
          ...extra,
        }
      : {
          id,
          object: "text_completion",
          created,
          model: plan.model,
          choices: [{ index: 0, text: plan.echo + result.text, logprobs: null, finish_reason: finishReason }],
          usage,
          ...extra,
        };
  const json = JSON.stringify(body);
  response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  response.end(json);
}

export async function handleChatCompletion(body: unknown, response: ServerResponse, dependencies: InferenceDependencies): Promise<void> {
  await run(await planChat(body, dependencies), response, dependencies);
}

export async function handleCompletion(body: unknown, response: ServerResponse, dependencies: InferenceDependencies): Promise<void> {
  await run(await planText(body, dependencies), response, dependencies);
}
