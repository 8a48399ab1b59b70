import OpenAI from "openai";
import { createOutboundFetch, outboundFetch } from "../net/outbound-fetch.ts";
import type { ModelTarget } from "./types.ts";

export const DEFAULT_TIMEOUT_MS = 60_000;

/** What the last response looked like before the SDK consumed it; error bodies are kept for the provider's words. */
export interface ResponseCapture {
  status?: number;
  contentType?: string | null;
  /** set only for non-2xx answers */
  bodyText?: Promise<string>;
}

/**
 * One SDK client per call: cheap to build, and it keeps a connection's key out of any shared state.
 * Retries are off (the run engine owns retrying, with its own limits) and the SDK never reads OPENAI_* variables
 * for what a connection configures.
 *
 * Every request goes through the outbound policy (lib/net): an injected `target.fetch` is wrapped by it too, so
 * the URL rules and the no-redirect rule hold for it; only the address pinning needs the policy's own fetch.
 */
export function createClient(target: ModelTarget, options: { timeoutMs: number; capture?: ResponseCapture }): OpenAI {
  const baseFetch = target.fetch ? createOutboundFetch({ transport: target.fetch }) : outboundFetch();
  const capture = options.capture;
  const capturingFetch: typeof fetch = capture
    ? async (input, init) => {
        const response = await baseFetch(input, init);
        capture.status = response.status;
        capture.contentType = response.headers.get("content-type");
        // The SDK drops error bodies without an `error` key (FastAPI's {detail}, HTML pages); keep our own copy.
        // A body that cannot be read (the connection dropped) leaves the SDK's own error, status included, as the report.
        if (!response.ok) capture.bodyText = response.clone().text().catch(() => "");
        return response;
      }
    : baseFetch;
  return buildClient(target, options.timeoutMs, capturingFetch);
}

function buildClient(target: ModelTarget, timeoutMs: number, fetchFn: typeof fetch): OpenAI {
  const hasKey = target.apiKey !== null && target.apiKey !== "";
  return new OpenAI({
    baseURL: target.baseURL,
    // The SDK refuses to start without a credential; keyless servers get a placeholder that is never sent,
    // because the null Authorization header below removes it.
    apiKey: hasKey ? (target.apiKey as string) : "no-key",
    defaultHeaders: hasKey ? undefined : { Authorization: null },
    organization: null,
    project: null,
    maxRetries: 0,
    // Our own deadline (in the caller) fires first and says which phase stalled; the SDK's is a backstop.
    timeout: timeoutMs + 1_000,
    fetch: fetchFn,
    logLevel: "off",
  });
}

// ----- shared clients (the gateway's hot path: building an OpenAI client costs ~0.1 ms of CPU a call) -----
//
// One client per connection target (base URL, key, timeout, injected transport), kept in this process's memory only
// (a bounded map; the key never leaves it). The per-call ResponseCapture cannot live in a shared client, so each call
// gets a token sent as a request header that the shared fetch removes before the request leaves the process and
// uses to find the call's capture.

const CAPTURE_HEADER = "x-assay-capture-token";
const MAX_SHARED_CLIENTS = 256;
const sharedClients = new Map<string, OpenAI>();
const transportIds = new WeakMap<typeof fetch, number>();
const captures = new Map<string, ResponseCapture>();
let nextToken = 0;
let nextTransport = 0;

function sharedFetch(baseFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    const token = headers.get(CAPTURE_HEADER);
    headers.delete(CAPTURE_HEADER);
    const response = await baseFetch(input, { ...init, headers });
    const capture = token === null ? undefined : captures.get(token);
    if (capture) {
      capture.status = response.status;
      capture.contentType = response.headers.get("content-type");
      // As in createClient: keep our own copy of an error body (the SDK drops bodies without an `error` key).
      if (!response.ok) capture.bodyText = response.clone().text().catch(() => "");
    }
    return response;
  };
}

/**
 * A cached client for `target` and the request options that route its response facts into `capture`; call
 * `release()` when the call is over (the capture is forgotten).
 */
export function sharedClient(
  target: ModelTarget,
  options: { timeoutMs: number; capture: ResponseCapture },
): { client: OpenAI; headers: Record<string, string>; release: () => void } {
  let transport = "";
  if (target.fetch) {
    let id = transportIds.get(target.fetch);
    if (id === undefined) transportIds.set(target.fetch, (id = ++nextTransport));
    transport = String(id);
  }
  const cacheKey = `${target.baseURL}\u0000${target.apiKey ?? ""}\u0000${options.timeoutMs}\u0000${transport}`;
  let client = sharedClients.get(cacheKey);
  if (!client) {
    const baseFetch = target.fetch ? createOutboundFetch({ transport: target.fetch }) : outboundFetch();
    client = buildClient(target, options.timeoutMs, sharedFetch(baseFetch));
    if (sharedClients.size >= MAX_SHARED_CLIENTS) sharedClients.delete(sharedClients.keys().next().value as string);
    sharedClients.set(cacheKey, client);
  }
  const token = String(++nextToken);
  captures.set(token, options.capture);
  return { client, headers: { [CAPTURE_HEADER]: token }, release: () => void captures.delete(token) };
}
