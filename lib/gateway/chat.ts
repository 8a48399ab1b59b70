import { randomInt, randomUUID } from "node:crypto";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { AppError, messageOf } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { storedOutput } from "../limits.ts";
import { limitedCall } from "../llm/limited-call.ts";
import type { CallResult, ChatMessage, ChatParams } from "../llm/types.ts";
import { costOf } from "../prompts/cost.ts";
import type { TemplateVariables } from "../prompts/types.ts";
import { formatRankedList, parseRankedList, teamDraft } from "../releases/interleave.ts";
import type { Scorer } from "../releases/scoring.ts";
import type { CallLog, CallRow } from "./call-log.ts";
import { appendedMessages, chatCompletionBody, requestParams, requestVariables } from "./chat-input.ts";
import { badRequest, errorResponse, GatewayError, jsonResponse } from "./errors.ts";
import type { GatewayPrincipal } from "./auth.ts";
import type { PlanCache, VersionPlan } from "./plan-cache.ts";
import { parseBody, readGatewayJson } from "./request.ts";
import { checkVariables, hasVariables, routeRequest, type Arm, type Route } from "./route.ts";
import {
  clientChunk,
  completionBody,
  finishReasonOf,
  sseData,
  synthesizedChunks,
  upstreamError,
  type Answer,
  type StreamFacts,
} from "./upstream.ts";

// POST /api/gateway/v1/chat/completions: route (plan-cache + route.ts), render, call through limitedCall with no
// retries (the application's SDK retries; retrying here too would multiply the load on a failing upstream), answer
// (streamed chunks passed through as they arrive, or one assembled completion), and log the Call write-behind.
// Shadow calls and online scoring run detached from the answer; interleaved requests run both arms concurrently.

export interface ChatRuntime {
  plans: PlanCache;
  callLog: CallLog;
  /** runs a shadow call in the background if fewer than the bound are in flight; false when skipped */
  runShadow(task: () => Promise<void>): boolean;
  /** keeps a detached task (scoring, logging) so a clean stop waits for it */
  track(task: Promise<unknown>): void;
  scorerFor(workspaceId: string, route: Route): Promise<Scorer | null>;
  log(line: string): void;
}

interface Execution {
  arm: Arm;
  callId: string;
  messages: ChatMessage[];
  params: ChatParams;
  result: CallResult;
  facts: StreamFacts;
}

const encoder = new TextEncoder();
/** shadow calls are not the client's: its disconnect does not stop them (a clean stop waits for them) */
const DETACHED = new AbortController().signal;

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined && item !== null)) as Partial<T>;
}

export async function chatCompletions(runtime: ChatRuntime, principal: GatewayPrincipal, request: Request): Promise<Response> {
  const body = parseBody(chatCompletionBody, await readGatewayJson(request));
  const loaded = runtime.plans.get(principal.workspaceId);
  const plan = loaded instanceof Promise ? await loaded : loaded;
  const userKey = body.user?.trim() || request.headers.get("x-assay-user")?.trim() || null;
  const route = routeRequest(plan, body.model, { userKey, ringHeader: request.headers.get("x-assay-ring")?.trim() || null });
  const { values, origin } = requestVariables(body);
  checkVariables(route, values, origin);

  const allowParams = route.release ? route.release.config.allowParams : true;
  const overrides = allowParams ? requestParams(body) : {};
  const appended = appendedMessages(body);
  const prepare = (arm: Arm): { messages: ChatMessage[]; params: ChatParams } => {
    const version = callable(arm.version);
    let messages: ChatMessage[];
    try {
      messages = [...version.assemble!(values), ...appended];
    } catch (error) {
      if (error instanceof AppError && error.code === "bad_request") throw badRequest("variables", error.message, "template_error");
      throw error;
    }
    return { messages, params: { ...definedOnly(version.params), ...overrides } as ChatParams };
  };
  const answerInput = prepare(route.answer);
  const stream = body.stream === true;
  const includeUsage = stream && body.stream_options?.include_usage === true;
  const groupId = randomUUID();
  const callId = randomUUID();
  const created = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "x-assay-call-id": callId,
    "x-assay-version": String(route.answer.version.number),
    "x-assay-release": route.release?.id ?? "",
    "x-assay-arm": route.release ? route.answer.name : "",
  };
  const record = (execution: Execution, extra: { shadow: boolean; attribution?: string[] | null }) =>
    logCall(runtime, principal, route, { values, groupId, stream, execution, ...extra });

  // A candidate that cannot run this request (a variable it lacks, a template that fails on these values) is
  // skipped and logged: it must never fail stable's answer.
  const candidateInput = (arm: Arm | null): { messages: ChatMessage[]; params: ChatParams } | null => {
    if (!arm || !hasVariables(arm.version, values) || !arm.version.target) return null;
    try {
      return prepare(arm);
    } catch (error) {
      runtime.log(`release ${route.release?.id} arm ${arm.name} skipped for a request: ${messageOf(error)}`);
      return null;
    }
  };
  const shadowInput = candidateInput(route.shadow);
  if (route.shadow && shadowInput) {
    const shadowArm = route.shadow;
    const started = runtime.runShadow(async () => {
      const execution = await execute(shadowArm, randomUUID(), shadowInput, DETACHED);
      record(execution, { shadow: true });
    });
    if (!started) headers["x-assay-shadow"] = "skipped";
  }

  const abort = new AbortController();
  const onAbort = () => abort.abort();
  request.signal?.addEventListener("abort", onAbort, { once: true });

  const partnerInput = candidateInput(route.interleave);
  const partner = partnerInput ? route.interleave : null;
  if (route.interleave) {
    runtime.callLog.issued(callId, { workspaceId: principal.workspaceId, items: null });
    const [stable, candidate] = await Promise.all([
      execute(route.answer, callId, answerInput, abort.signal),
      partner && partnerInput ? execute(partner, randomUUID(), partnerInput, abort.signal) : Promise.resolve(null),
    ]);
    request.signal?.removeEventListener("abort", onAbort);
    const merged = stable.result.error || !candidate || candidate.result.error ? null : interleaveOutputs(stable.result.output, candidate.result.output, partner!.name);
    if (merged) runtime.callLog.issued(callId, { workspaceId: principal.workspaceId, items: merged.attribution.length });
    record(stable, { shadow: false, attribution: merged?.attribution ?? null });
    if (candidate) record(candidate, { shadow: false });
    if (stable.result.error) return errorResponse(upstreamError(stable.result.error), headers);
    const answer = answerOf(stable, callId, merged?.output ?? stable.result.output);
    if (merged && candidate) {
      answer.inputTokens += candidate.result.usage.inputTokens ?? 0;
      answer.outputTokens += candidate.result.usage.outputTokens ?? 0;
    }
    return stream ? synthesizedStream(answer, created, includeUsage, headers) : jsonResponse(200, completionBody(answer, created), headers);
  }

  runtime.callLog.issued(callId, { workspaceId: principal.workspaceId, items: null });
  if (!stream) {
    const execution = await execute(route.answer, callId, answerInput, abort.signal);
    request.signal?.removeEventListener("abort", onAbort);
    record(execution, { shadow: false });
    if (execution.result.error) return errorResponse(upstreamError(execution.result.error), headers);
    return jsonResponse(200, completionBody(answerOf(execution, callId, execution.result.output), created), headers);
  }
  return streamAnswer({ route, callId, input: answerInput, abort, includeUsage, created, headers, track: (task) => runtime.track(task), onDone: (execution) => {
    request.signal?.removeEventListener("abort", onAbort);
    record(execution, { shadow: false });
  } });
}

function callable(version: VersionPlan): VersionPlan {
  if (version.problem || !version.assemble || !version.target) {
    throw new GatewayError(500, version.problem ?? `Version ${version.number} cannot be called.`, { code: "prompt_not_callable" });
  }
  return version;
}

async function execute(
  arm: Arm,
  callId: string,
  input: { messages: ChatMessage[]; params: ChatParams },
  signal: AbortSignal,
  onChunk?: (chunk: ChatCompletionChunk) => void,
): Promise<Execution> {
  const facts: StreamFacts = { finishReason: null, chunks: 0 };
  const { result } = await limitedCall(callable(arm.version).target!, input.messages, input.params, { run: null }, {
    maxRetries: 0,
    signal,
    onChunk: (chunk) => {
      facts.chunks += 1;
      const reason = chunk.choices?.[0]?.finish_reason;
      if (reason) facts.finishReason = reason;
      onChunk?.(chunk);
    },
  });
  return { arm, callId, messages: input.messages, params: input.params, result, facts };
}

function answerOf(execution: Execution, callId: string, output: string): Answer {
  const { result } = execution;
  return {
    id: result.raw?.id ?? `chatcmpl-${callId}`,
    model: result.raw?.model ?? execution.arm.version.resolved?.model ?? "",
    output,
    finishReason: finishReasonOf(result, execution.facts),
    inputTokens: result.usage.inputTokens ?? 0,
    outputTokens: result.usage.outputTokens ?? 0,
    systemFingerprint: result.raw?.systemFingerprint ?? null,
  };
}

function interleaveOutputs(stableOutput: string, candidateOutput: string, candidateArm: string): { output: string; attribution: string[] } | null {
  const stable = parseRankedList(stableOutput);
  const candidate = parseRankedList(candidateOutput);
  if (!stable || !candidate) return null;
  const merged = teamDraft({ arm: "stable", items: stable.items }, { arm: candidateArm, items: candidate.items }, () => randomInt(2) === 0);
  return { output: formatRankedList(merged.items, stable.format), attribution: merged.attribution };
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" };

function synthesizedStream(answer: Answer, created: number, includeUsage: boolean, headers: Record<string, string>): Response {
  const text = synthesizedChunks(answer, created, includeUsage).map(sseData).join("") + "data: [DONE]\n\n";
  return new Response(encoder.encode(text), { status: 200, headers: { ...SSE_HEADERS, ...headers } });
}

/**
 * Streams the upstream's chunks as they arrive. The response starts at the first chunk: a call that fails before
 * any (a 500, a refused key) is answered with its status and the provider's error instead of a 200 stream; a failure
 * after it ends the stream with an error event, which the openai SDK raises.
 */
function streamAnswer(options: {
  route: Route;
  callId: string;
  input: { messages: ChatMessage[]; params: ChatParams };
  abort: AbortController;
  includeUsage: boolean;
  created: number;
  headers: Record<string, string>;
  onDone: (execution: Execution) => void;
  track: (task: Promise<unknown>) => void;
}): Promise<Response> {
  const { includeUsage, headers } = options;
  let sink: ReadableStreamDefaultController<Uint8Array> | null = null;
  const queued: string[] = [];
  let sent = 0;
  let closed = false;
  const send = (text: string) => {
    if (closed) return;
    if (sink) sink.enqueue(encoder.encode(text));
    else queued.push(text);
  };
  let started!: () => void;
  const firstChunk = new Promise<void>((resolve) => (started = resolve));
  let finished: Execution | null = null;
  /** a failure that is not the provider's (the wait for a connection slot aborted, a bug): thrown, or ends the stream */
  let failure: { error: unknown } | null = null;
  const done: Promise<Execution | null> = execute(options.route.answer, options.callId, options.input, options.abort.signal, (chunk) => {
    const forwarded = clientChunk(chunk, includeUsage);
    if (forwarded) {
      sent += 1;
      send(sseData(forwarded));
    }
    started();
  }).then((execution) => {
    finished = execution;
    started();
    options.onDone(execution);
    return execution;
  }).catch((error: unknown) => {
    failure = { error };
    started();
    return null;
  });
  // The stream outlives the handler's promise: a clean stop waits for it, so its Call is logged before the flush.
  options.track(done);

  const end = (execution: Execution | null) => {
    if (closed || !sink) return;
    if (!execution) {
      const error = (failure as { error: unknown } | null)?.error;
      send(sseData(new GatewayError(500, `The gateway failed: ${messageOf(error)}`, { code: "internal_error" }).body()));
      closed = true;
      sink.close();
      return;
    }
    const { result } = execution;
    if (result.error) {
      if (result.error.kind !== "cancelled") send(sseData(upstreamError(result.error).body()));
    } else {
      if (sent === 0) for (const chunk of synthesizedChunks(answerOf(execution, options.callId, result.output), options.created, includeUsage)) send(sseData(chunk));
      send("data: [DONE]\n\n");
    }
    closed = true;
    sink.close();
  };

  return firstChunk.then(() => {
    const early = finished as Execution | null;
    const failed = failure as { error: unknown } | null;
    if (failed && sent === 0) throw failed.error;
    if (early && early.result.error && sent === 0) return errorResponse(upstreamError(early.result.error), headers);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        sink = controller;
        for (const text of queued.splice(0)) controller.enqueue(encoder.encode(text));
        if (early || failed) end(early);
        else void done.then(end);
      },
      cancel() {
        closed = true;
        options.abort.abort();
      },
    });
    return new Response(body, { status: 200, headers: { ...SSE_HEADERS, ...headers } });
  });
}

function logCall(
  runtime: ChatRuntime,
  principal: GatewayPrincipal,
  route: Route,
  call: { values: TemplateVariables; groupId: string; stream: boolean; execution: Execution; shadow: boolean; attribution?: string[] | null },
): void {
  const { execution } = call;
  const { result, arm } = execution;
  const version = arm.version;
  const resolved = version.resolved;
  const row: CallRow = {
    id: execution.callId,
    workspaceId: principal.workspaceId,
    groupId: call.groupId,
    source: "gateway",
    promptId: route.prompt.id,
    versionId: version.id,
    connectionId: resolved?.connectionId ?? null,
    connectionName: resolved?.connectionName ?? "",
    model: resolved?.model ?? "",
    params: execution.params as Prisma.InputJsonValue,
    variables: call.values as Prisma.InputJsonValue,
    messages: execution.messages as unknown as Prisma.InputJsonValue,
    output: storedOutput(result.output),
    finishReason: result.finishReason,
    inputTokens: result.usage.inputTokens,
    outputTokens: result.usage.outputTokens,
    usageEstimated: result.usage.estimated,
    cost: resolved ? costOf(result.usage, resolved.prices) : null,
    ttftMs: result.ttftMs,
    latencyMs: result.latencyMs,
    tokensPerSecond: result.tokensPerSecond,
    error: result.error ? (result.error as unknown as Prisma.InputJsonValue) : undefined,
    createdAt: new Date(result.startedAt),
    releaseId: route.release?.id ?? null,
    arm: route.release ? arm.name : null,
    ring: route.assignment?.ring ?? null,
    userKeyHash: route.userKeyHash,
    bucket: route.assignment?.bucket ?? null,
    shadow: call.shadow,
    gatewayKeyId: principal.keyId,
    stream: call.stream,
    label: route.label,
    attribution: call.attribution ? (call.attribution as Prisma.InputJsonValue) : undefined,
  };
  const scoring = route.release?.config.scoring ?? null;
  if (!scoring || result.error) {
    runtime.callLog.pushCall(row);
    return;
  }
  // Scored off the answer's path; the row is logged once its evaluation is known (or the judge failed).
  runtime.track(
    (async () => {
      try {
        const scorer = await runtime.scorerFor(principal.workspaceId, route);
        if (scorer) {
          const evaluation = await scorer.score(result.output, {
            variables: call.values,
            latencyMs: result.latencyMs,
            cost: row.cost ?? null,
            outputTokens: result.usage.outputTokens,
            finishReason: result.finishReason,
          });
          row.evaluation = evaluation as unknown as Prisma.InputJsonValue;
          row.passed = evaluation.pass;
        }
      } catch (error) {
        runtime.log(`online scoring of call ${row.id} (release ${route.release?.id}) failed, stored without evaluation: ${messageOf(error)}`);
      }
      runtime.callLog.pushCall(row);
    })(),
  );
}
