import { z } from "zod";
import { AppError } from "../errors.ts";
import { describeCause } from "../llm/map-error.ts";
import { outboundFetch } from "../net/outbound-fetch.ts";
import { outboundRefusalIn } from "../net/outbound-policy.ts";

// The web app's calls to the local model server: live figures from GET /metrics and a short measured generation.
// `fetch` is injectable so tests can point these at any server. The default goes through the outbound policy: the
// URL is a local connection's base URL, which a user can edit.

export interface ServerClientOptions {
  /** the OpenAI base URL, e.g. http://127.0.0.1:8088/v1 */
  baseUrl: string;
  /** the workspace's model-server key: without it only the models folder's files are listed and served */
  apiKey?: string;
  fetch?: typeof fetch;
}

function authorization(options: ServerClientOptions): Record<string, string> {
  return options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
}

const liveModel = z.object({
  state: z.enum(["loaded", "loading", "unloaded"]),
  activeRequests: z.number(),
  queuedRequests: z.number(),
  memoryBytes: z.number().nullable(),
  contextSize: z.number().nullable(),
  loadMs: z.number().nullable(),
  requests: z.number().optional(),
  completed: z.number().optional(),
  cancelled: z.number().optional(),
  failed: z.number().optional(),
  completionTokens: z.number().optional(),
  meanTokensPerSecond: z.number().nullable().optional(),
  overallTokensPerSecond: z.number().nullable().optional(),
  meanTimeToFirstTokenMs: z.number().nullable().optional(),
});
export type LiveModelMetrics = z.infer<typeof liveModel>;

const metricsBody = z.object({ models: z.record(z.string(), liveModel) });

export type ServerStatus =
  | { reachable: true; url: string; models: Record<string, LiveModelMetrics> }
  | { reachable: false; url: string; message: string };

/** The server's root (metrics live beside /v1, not under it). */
export function serverOrigin(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}

function unreachable(baseUrl: string, error: unknown): string {
  const cause = describeCause(error);
  return `The local model server at ${serverOrigin(baseUrl)} does not answer (${cause}). \`npm start\` runs it; on its own: \`npx assay serve-model\`.`;
}

/** GET /metrics; never throws — a stopped server is a state the Models page shows. */
export async function fetchServerStatus(options: ServerClientOptions & { timeoutMs?: number }): Promise<ServerStatus> {
  const url = serverOrigin(options.baseUrl);
  try {
    const response = await (options.fetch ?? outboundFetch())(`${url}/metrics`, { headers: authorization(options), signal: AbortSignal.timeout(options.timeoutMs ?? 1500) });
    if (!response.ok) return { reachable: false, url, message: `GET ${url}/metrics answered ${response.status}; is this Assay's model server?` };
    const parsed = metricsBody.safeParse(await response.json());
    if (!parsed.success) return { reachable: false, url, message: `GET ${url}/metrics answered in an unknown shape; is this Assay's model server?` };
    return { reachable: true, url, models: parsed.data.models };
  } catch (error) {
    return { reachable: false, url, message: outboundRefusalIn(error)?.message ?? unreachable(options.baseUrl, error) };
  }
}

const completionBody = z.object({
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }),
  timings: z.object({ queue_ms: z.number(), prompt_ms: z.number(), predicted_n: z.number(), predicted_ms: z.number() }),
});

const errorBody = z.object({ error: z.object({ message: z.string() }) });

export interface SpeedMeasurement {
  /** generated tokens after the first, per second of generation, over all runs */
  tokensPerSecond: number;
  /** server side: queue + prompt processing + first token, mean over runs */
  timeToFirstTokenMs: number;
  completionTokens: number;
  runs: number;
}

export const MEASURE_PROMPT = "Latency is the time between the request and the answer.";

/**
 * A short generation through the server, as a user's request would run: one token first (which loads the model),
 * then `runs` generations of `tokens` tokens with end-of-sequence ignored so every run has the same length.
 */
export async function measureSpeed(
  options: ServerClientOptions & { model: string; tokens?: number; runs?: number; timeoutMs?: number },
): Promise<SpeedMeasurement> {
  const doFetch = options.fetch ?? outboundFetch();
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 120_000);
  const complete = async (maxTokens: number) => {
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl.replace(/\/+$/, "")}/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...authorization(options) },
        body: JSON.stringify({ model: options.model, prompt: MEASURE_PROMPT, max_tokens: maxTokens, temperature: 0, ignore_eos: true }),
        signal: deadline,
      });
    } catch (error) {
      if (deadline.aborted) throw new AppError("unavailable", "local-model", `Measuring '${options.model}' took longer than ${(options.timeoutMs ?? 120_000) / 1000} s.`);
      throw outboundRefusalIn(error) ?? new AppError("unavailable", "local-model", unreachable(options.baseUrl, error));
    }
    // A non-JSON body (a proxy's page) still gets a message below: the status.
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const message = errorBody.safeParse(body).data?.error.message ?? `the server answered ${response.status}`;
      throw new AppError(response.status === 404 ? "not_found" : "unavailable", "local-model", `Could not measure '${options.model}': ${message}`);
    }
    return completionBody.parse(body);
  };

  await complete(1);
  const runs = options.runs ?? 2;
  let afterFirst = 0;
  let generationMs = 0;
  let firstTokenMs = 0;
  let completionTokens = 0;
  for (let run = 0; run < runs; run++) {
    const { timings, usage } = await complete(options.tokens ?? 32);
    afterFirst += Math.max(0, timings.predicted_n - 1);
    generationMs += timings.predicted_ms;
    firstTokenMs += timings.queue_ms + timings.prompt_ms;
    completionTokens += usage.completion_tokens;
  }
  if (generationMs <= 0 || afterFirst === 0) {
    throw new AppError("unavailable", "local-model", `'${options.model}' generated too few tokens to measure its speed.`);
  }
  return { tokensPerSecond: (afterFirst * 1000) / generationMs, timeToFirstTokenMs: firstTokenMs / runs, completionTokens, runs };
}
