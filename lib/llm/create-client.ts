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
    timeout: options.timeoutMs + 1_000,
    fetch: capturingFetch,
    logLevel: "off",
  });
}
