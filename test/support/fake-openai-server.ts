import { readFileSync } from "node:fs";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

// A local stand-in for an OpenAI-compatible API, speaking the wire format recorded in test/fixtures/openai/:
// /v1/models, /v1/chat/completions and /v1/completions, streamed (SSE) or not, with latency and failures injected
// per server, per model name or per request (header `x-fake-behavior: <JSON of a partial FakeBehavior>`).

export type FakeFailure =
  | "auth" // 401 with OpenAI's invalid_api_key body
  | "rate_limit" // 429 with Retry-After
  | "server_error" // 5xx (status, default 500)
  | "context_length" // 400 context_length_exceeded
  | "not_found" // 404 model_not_found
  | "timeout" // never answers
  | "cut" // starts streaming, then destroys the socket
  | "html"; // an HTML page instead of an API answer (status, default 200)

/** A fixed delay or a uniform random one in [min, max] ms. */
export type Latency = number | { min: number; max: number };

export interface FakeChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  lastUserMessage: string;
  body: Record<string, unknown>;
}

/** Chance per request of each fault, drawn from a generator seeded with `seed` (default 1). */
export interface FaultOptions {
  rate429?: number;
  error500?: number;
  timeout?: number;
  cut?: number;
  seed?: number;
  /** the first N completion requests after this is set answer 429 (with the behaviour's Retry-After), the rest as usual */
  first429?: number;
}

export interface FakeBehavior {
  /** before the first byte */
  latencyMs: Latency;
  /** between streamed tokens; 0 sends the whole stream in one write */
  tokenDelayMs: Latency;
  /** the reply; default "Echo: <last user message>" */
  reply?: string | ((request: FakeChatRequest) => string);
  /** scripted replies keyed by the last user message, tried before `reply` */
  replies?: Record<string, string>;
  /** report token usage (in the stream only when the client asks with stream_options.include_usage) */
  usage: boolean;
  failure: FakeFailure | null;
  /** for server_error (default 500) and html (default 200) */
  status?: number;
  /** Retry-After header value on 429 (seconds or an HTTP date); null leaves it out */
  retryAfter: string | null;
  /** retry-after-ms header on 429 */
  retryAfterMs?: number;
  /** tokens sent before a cut (default: half the reply) */
  cutAfterTokens?: number;
  finishReason: "stop" | "length" | "content_filter";
  faults: FaultOptions | null;
}

export interface FakeOpenAIOptions extends Partial<FakeBehavior> {
  /** when set, every request needs `Authorization: Bearer <apiKey>` */
  apiKey?: string;
  /** ids served by /v1/models (default: the built-in fake-* models) */
  models?: string[];
  /** behaviours by model name, on top of the built-in fake-* ones */
  modelBehaviors?: Record<string, Partial<FakeBehavior>>;
  /** keep every request in `requests` (default true; turn off for long benchmarks) */
  record?: boolean;
  port?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** what was done with it */
  outcome: FakeFailure | "ok";
  /** the connection closed before the answer was complete (client cancelled, timed out, or a cut) */
  closedEarly: boolean;
  /** when the request's headers arrived (Date.now(), so another process on this machine can compare) */
  arrivedAt: number;
  /** ms from the request's arrival to its response headers: what the SERVICE_TIME_HEADER said; null if none sent */
  serviceMs: number | null;
}

/**
 * Every answer says how long this server took over it, from the request's arrival to its response headers (with
 * token delays off, the whole answer is written then): a client's measured latency minus this is its own overhead.
 */
export const SERVICE_TIME_HEADER = "x-fake-service-time-ms";

export interface FakeOpenAI {
  /** base URL ending in /v1 */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** merge into the server-wide behaviour, or into one model's when `model` is given */
  setBehavior(behavior: Partial<FakeBehavior>, model?: string): void;
  /** back to the options the server started with */
  resetBehavior(): void;
  close(): Promise<void>;
}

/** Model names with a behaviour built in, so a browser test can pick a failure from a model list. */
export const FAKE_MODELS: Record<string, Partial<FakeBehavior>> = {
  "fake-echo": {},
  "fake-slow": { latencyMs: 300, tokenDelayMs: 30 },
  "fake-no-usage": { usage: false },
  "fake-length": { finishReason: "length" },
  "fake-rate-limit": { failure: "rate_limit" },
  "fake-server-error": { failure: "server_error" },
  "fake-context-length": { failure: "context_length" },
  "fake-unauthorized": { failure: "auth" },
  "fake-missing": { failure: "not_found" },
  "fake-timeout": { failure: "timeout" },
  "fake-cut": { failure: "cut", tokenDelayMs: 5 },
  "fake-html": { failure: "html" },
};

const DEFAULT_BEHAVIOR: FakeBehavior = {
  latencyMs: 0,
  tokenDelayMs: 0,
  usage: true,
  failure: null,
  retryAfter: "1",
  finishReason: "stop",
  faults: null,
};

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/openai");
const errorFixture = (name: string) =>
  JSON.parse(readFileSync(path.join(FIXTURES, "errors", `${name}.json`), "utf8")) as {
    error: { message: string; type: string; param: string | null; code: string | null };
  };
const ERRORS = {
  auth: errorFixture("invalid-api-key"),
  rateLimit: errorFixture("rate-limit"),
  contextLength: errorFixture("context-length-exceeded"),
  server: errorFixture("server-error"),
  notFound: errorFixture("model-not-found"),
  invalidUrl: errorFixture("invalid-url"),
};
const HTML_PAGE =
  "<!doctype html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1></body></html>";
const SYSTEM_FINGERPRINT = "fp_fake0001";

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const { apiKey, models, modelBehaviors, record = true, port = 0, ...initial } = options;
  let serverBehavior: Partial<FakeBehavior> = { ...initial };
  let perModel: Record<string, Partial<FakeBehavior>> = { ...FAKE_MODELS, ...modelBehaviors };
  const requests: RecordedRequest[] = [];
  let faultRandom = seededRandom(initial.faults?.seed ?? 1);
  const latencyRandom = seededRandom(7);
  let completionCounter = 0;
  let scripted429Sent = 0;

  const resolve = (model: string | undefined, header: string | string[] | undefined): FakeBehavior => {
    const fromHeader = typeof header === "string" ? (JSON.parse(header) as Partial<FakeBehavior>) : {};
    return {
      ...DEFAULT_BEHAVIOR,
      ...serverBehavior,
      ...(model === undefined ? {} : perModel[model]),
      ...fromHeader,
    };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, arrived: number, arrivedAt: number) => {
    const url = request.url ?? "/";
    const pathname = url.split("?")[0] ?? "/";
    const method = request.method ?? "GET";
    const text = method === "POST" ? await readBody(request) : "";
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // OpenAI answers a body it cannot parse with exactly this 400; the parser's detail is not part of it.
        return sendJson(response, 400, {
          error: { message: "We could not parse the JSON body of your request.", type: "invalid_request_error", param: null, code: null },
        });
      }
    }
    const model = typeof body.model === "string" ? body.model : undefined;
    const behavior = resolve(model, request.headers["x-fake-behavior"]);
    const completion = method === "POST" && pathname !== "/v1/models";
    const scripted429 = completion && behavior.faults?.first429 !== undefined && scripted429Sent++ < behavior.faults.first429;
    const failure = behavior.failure ?? (scripted429 ? "rate_limit" : drawFault(behavior.faults, faultRandom));
    const entry: RecordedRequest = { method, path: pathname, headers: request.headers, body: text ? body : undefined, outcome: failure ?? "ok", closedEarly: false, arrivedAt, serviceMs: null };
    stampServiceTime(response, arrived, (ms) => (entry.serviceMs = ms));
    if (record) {
      requests.push(entry);
      response.once("close", () => {
        if (!response.writableFinished) entry.closedEarly = true;
      });
    }

    if (apiKey !== undefined && request.headers.authorization !== `Bearer ${apiKey}`) {
      entry.outcome = "auth";
      return sendJson(response, 401, authError(request.headers.authorization));
    }
    await sleep(pick(behavior.latencyMs, latencyRandom), response);
    if (response.destroyed) return;

    const known =
      (method === "GET" && pathname === "/v1/models") ||
      (method === "POST" && (pathname === "/v1/chat/completions" || pathname === "/v1/completions"));
    if (!known) {
      return sendJson(response, 404, withMessage(ERRORS.invalidUrl, `Invalid URL (${method} ${pathname})`));
    }
    if (failure && failure !== "cut") return sendFailure(response, failure, behavior, model, request.headers.authorization);
    if (pathname === "/v1/models") {
      const ids = models ?? Object.keys(FAKE_MODELS);
      return sendJson(response, 200, {
        object: "list",
        data: ids.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "assay-fake" })),
      });
    }
    completionCounter += 1;
    const chat = pathname === "/v1/chat/completions";
    await sendCompletion(response, chat, body, behavior, failure === "cut", completionCounter, latencyRandom);
  };

  const server = http.createServer((request, response) => {
    handle(request, response, performance.now(), Date.now()).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: String(error), type: "fake_server_bug", param: null, code: null } });
      else response.destroy();
    });
  });
  // Many concurrent short requests (benchmarks): don't let Nagle hold small SSE writes back.
  server.on("connection", (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(port, "127.0.0.1", () => resolveListen());
  });
  const actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${actualPort}/v1`,
    port: actualPort,
    requests,
    setBehavior(behavior, model) {
      if (model === undefined) {
        serverBehavior = { ...serverBehavior, ...behavior };
        if (behavior.faults) {
          faultRandom = seededRandom(behavior.faults.seed ?? 1);
          scripted429Sent = 0;
        }
      } else {
        perModel = { ...perModel, [model]: { ...perModel[model], ...behavior } };
      }
    },
    resetBehavior() {
      serverBehavior = { ...initial };
      perModel = { ...FAKE_MODELS, ...modelBehaviors };
      faultRandom = seededRandom(initial.faults?.seed ?? 1);
      scripted429Sent = 0;
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

async function sendCompletion(
  response: ServerResponse,
  chat: boolean,
  body: Record<string, unknown>,
  behavior: FakeBehavior,
  cut: boolean,
  counter: number,
  random: () => number,
): Promise<void> {
  const model = typeof body.model === "string" ? body.model : "fake-echo";
  const messages = chat ? readMessages(body.messages) : [{ role: "user", content: promptText(body.prompt) }];
  const lastUserMessage = [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
  const request: FakeChatRequest = { model, messages, lastUserMessage, body };
  const reply =
    behavior.replies?.[lastUserMessage] ??
    (typeof behavior.reply === "function" ? behavior.reply(request) : behavior.reply) ??
    `Echo: ${lastUserMessage}`;
  let { tokens, finishReason } = limitReply(reply, body, behavior.finishReason);
  if (cut) tokens = tokens.slice(0, behavior.cutAfterTokens ?? Math.floor(tokens.length / 2));
  const usage = {
    prompt_tokens: messages.reduce((sum, message) => sum + 4 + Math.ceil(message.content.length / 4), 3),
    completion_tokens: tokens.length,
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const id = `${chat ? "chatcmpl" : "cmpl"}-fake${String(counter).padStart(8, "0")}`;
  const created = Math.floor(Date.now() / 1000);
  const head = { id, object: chat ? "chat.completion.chunk" : "text_completion", created, model };
  const extra = { service_tier: "default", system_fingerprint: SYSTEM_FINGERPRINT };

  if (body.stream !== true) {
    if (cut) return void response.destroy();
    const text = tokens.join("");
    const choice = chat
      ? { index: 0, message: { role: "assistant", content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: finishReason }
      : { text, index: 0, logprobs: null, finish_reason: finishReason };
    const object = { ...head, object: chat ? "chat.completion" : "text_completion", choices: [choice] };
    return sendJson(response, 200, { ...object, ...(behavior.usage ? { usage } : {}), ...extra });
  }

  const includeUsage = behavior.usage && (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (choices: unknown[], usageValue?: unknown) =>
    `data: ${JSON.stringify({ ...head, ...extra, choices, ...(usageValue === undefined ? usageField : { usage: usageValue }) })}\n\n`;
  const piece = (text: string, finish: string | null, first = false) =>
    chat
      ? chunk([{ index: 0, delta: first ? { role: "assistant", content: text, refusal: null } : finish ? {} : { content: text }, logprobs: null, finish_reason: finish }])
      : chunk([{ text, index: 0, logprobs: null, finish_reason: finish }]);

  response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
  const pieces = [...(chat ? [piece("", null, true)] : []), ...tokens.map((token) => piece(token, null))];
  const ending = [piece("", finishReason), ...(includeUsage ? [chunk([], usage)] : []), "data: [DONE]\n\n"];
  const delayed = behavior.tokenDelayMs !== 0;
  if (!delayed) {
    response.write(pieces.join(""));
  } else {
    // The role chunk goes out with the first token; the delay separates tokens.
    const firstToken = chat ? 1 : 0;
    for (const [index, text] of pieces.entries()) {
      if (index > firstToken) await sleep(pick(behavior.tokenDelayMs, random), response);
      if (response.destroyed) return;
      response.write(text);
    }
  }
  if (cut) {
    // Let the written chunks leave before the connection dies, as when a proxy drops a stream mid-way.
    await sleep(5, response);
    return void response.socket?.destroy();
  }
  response.end(ending.join(""));
}

function sendFailure(
  response: ServerResponse,
  failure: Exclude<FakeFailure, "cut">,
  behavior: FakeBehavior,
  model: string | undefined,
  authorization: string | undefined,
): void {
  switch (failure) {
    case "timeout":
      return; // hold the connection open and never answer; close() or the client ends it
    case "auth":
      return sendJson(response, 401, authError(authorization));
    case "rate_limit": {
      const headers: Record<string, string> = {
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "20s",
      };
      if (behavior.retryAfter !== null) headers["retry-after"] = behavior.retryAfter;
      if (behavior.retryAfterMs !== undefined) headers["retry-after-ms"] = String(behavior.retryAfterMs);
      const body = withMessage(ERRORS.rateLimit, ERRORS.rateLimit.error.message.replace("gpt-4o-mini", model ?? "the model"));
      return sendJson(response, 429, body, headers);
    }
    case "server_error":
      return sendJson(response, behavior.status ?? 500, ERRORS.server);
    case "context_length":
      return sendJson(response, 400, ERRORS.contextLength);
    case "not_found":
      return sendJson(response, 404, withMessage(ERRORS.notFound, `The model \`${model ?? ""}\` does not exist or you do not have access to it.`));
    case "html":
      response.writeHead(behavior.status ?? 200, { "content-type": "text/html; charset=utf-8" });
      return void response.end(HTML_PAGE);
  }
}

/** Words with their leading space, as a tokenizer would roughly cut them; then max_tokens and stop applied. */
function limitReply(
  reply: string,
  body: Record<string, unknown>,
  finishReason: FakeBehavior["finishReason"],
): { tokens: string[]; finishReason: string } {
  let text = reply;
  const stops = typeof body.stop === "string" ? [body.stop] : Array.isArray(body.stop) ? (body.stop as string[]) : [];
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0) text = text.slice(0, at);
  }
  const tokens = text.match(/\s*\S+|\s+$/g) ?? [];
  const limit = [body.max_completion_tokens, body.max_tokens].find((value): value is number => typeof value === "number");
  if (limit !== undefined && tokens.length > limit) return { tokens: tokens.slice(0, limit), finishReason: "length" };
  return { tokens, finishReason };
}

function readMessages(value: unknown): { role: string; content: string }[] {
  if (!Array.isArray(value)) return [];
  return value.map((message: { role?: unknown; content?: unknown }) => ({
    role: String(message.role ?? ""),
    content:
      typeof message.content === "string"
        ? message.content
        : Array.isArray(message.content)
          ? message.content.map((part: { text?: unknown }) => (typeof part.text === "string" ? part.text : "")).join("")
          : "",
  }));
}

function promptText(prompt: unknown): string {
  return typeof prompt === "string" ? prompt : Array.isArray(prompt) ? String(prompt[0] ?? "") : "";
}

function authError(authorization: string | undefined) {
  const key = authorization?.replace(/^Bearer\s+/i, "") ?? "";
  const masked = key.length > 8 ? `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}` : "***";
  const message = key
    ? `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`
    : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  return withMessage(ERRORS.auth, message, key ? "invalid_api_key" : null);
}

function withMessage<T extends { error: { message: string; code: string | null } }>(fixture: T, message: string, code?: string | null): T {
  return { ...fixture, error: { ...fixture.error, message, ...(code === undefined ? {} : { code }) } };
}

/** Adds SERVICE_TIME_HEADER to whatever writeHead the answer ends up sending. */
function stampServiceTime(response: ServerResponse, arrived: number, record: (ms: number) => void): void {
  const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
  response.writeHead = ((...args: unknown[]) => {
    const ms = performance.now() - arrived;
    record(ms);
    response.setHeader(SERVICE_TIME_HEADER, ms.toFixed(3));
    return writeHead(...args);
  }) as ServerResponse["writeHead"];
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolveBody(Buffer.concat(chunks).toString("utf8")));
    request.on("error", rejectBody);
  });
}

/** Resolves after `ms`, or at once when the client goes away (so abandoned requests hold no timers). */
function sleep(ms: number, response: ServerResponse): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolveSleep) => {
    const done = () => {
      clearTimeout(timer);
      response.off("close", done);
      resolveSleep();
    };
    const timer = setTimeout(done, ms);
    response.on("close", done);
  });
}

function pick(latency: Latency, random: () => number): number {
  return typeof latency === "number" ? latency : latency.min + (latency.max - latency.min) * random();
}

function drawFault(faults: FaultOptions | null, random: () => number): FakeFailure | null {
  if (!faults) return null;
  const draw = random();
  let threshold = 0;
  for (const [failure, chance] of [
    ["rate_limit", faults.rate429],
    ["server_error", faults.error500],
    ["timeout", faults.timeout],
    ["cut", faults.cut],
  ] as const) {
    threshold += chance ?? 0;
    if (draw < threshold) return failure;
  }
  return null;
}

/** mulberry32: small, fast and deterministic, so a fault sequence can be replayed from its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
