// `npm run bench:playground`: the time Assay adds between a provider's first byte and the client receiving it.
// A provider in this process writes its first token and records the moment; the client (a fetch of the playground
// SSE endpoint, what the browser does) records when that token's text-delta event arrives. Both clocks are this
// process's performance.now(). The app is the real `assay start` build. Target: median under 20 ms.
// Then, in this process, how promptly callModel gives up: on a provider that never answers, on a stream that stalls,
// and after the caller aborts (the figures test/integration/llm-call.test.ts proves the behaviour of, untimed).
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { callModel } from "../lib/llm/call-model.ts";
import { readServerEvents } from "../lib/ui/sse.ts";
import { median, quantile, ratioLine, startApp } from "./bench-support.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const TARGET_MS = 20;
const TIMEOUT_RUNS = Number(process.env.BENCH_TIMEOUT_RUNS ?? 10);
const TIMEOUT_MS = 300;
/** How long past its deadline (or the abort) a call may take to come back; the tests once asserted about this. */
const GIVE_UP_TARGET_MS = 100;
const root = path.resolve(import.meta.dirname, "..");

const firstByteAt = new Map<string, number>();
const provider = http.createServer(async (request, response) => {
  if (request.url?.endsWith("/models")) {
    response.writeHead(200, { "content-type": "application/json" });
    return response.end(JSON.stringify({ object: "list", data: [{ id: "bench-model", object: "model", created: 0, owned_by: "bench" }] }));
  }
  let body = "";
  for await (const chunk of request) body += chunk;
  // bench-silent never answers; bench-stall sends one token, then nothing; bench-slow sends a token every 100 ms.
  const model = (JSON.parse(body) as { model?: string }).model;
  if (model === "bench-silent") return;
  if (model === "bench-stall" || model === "bench-slow") {
    const line = (content: string) =>
      `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model, choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write(line("first"));
    if (model === "bench-stall") return;
    const timer = setInterval(() => response.write(line(" more")), 100);
    response.once("close", () => clearInterval(timer));
    return;
  }
  const marker = /run-(\d+)/.exec(body)?.[0] ?? "unknown";
  const head = { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: "bench-model" };
  const chunk = (delta: object, finish: string | null, usage?: object) =>
    `data: ${JSON.stringify({ ...head, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
  response.writeHead(200, { "content-type": "text/event-stream" });
  response.write(chunk({ role: "assistant", content: "first" }, null));
  firstByteAt.set(marker, performance.now());
  await new Promise((resolve) => setTimeout(resolve, 30));
  response.end(chunk({ content: " rest" }, null) + chunk({}, "stop") + chunk({}, null, { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 }) + "data: [DONE]\n\n");
});
await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
const providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`;

const app = await startApp({ root });
try {
  const setup = await fetch(`${app.url}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Bench", email: "bench@assay.test", password: "bench-password-1", workspaceName: "Bench" }),
  });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status} ${await setup.text()}`);
  const cookie = setup.headers.getSetCookie().map((item) => item.split(";")[0]).join("; ");
  const api = async <T>(url: string, body: unknown): Promise<T> => {
    const response = await fetch(`${app.url}${url}`, { method: "POST", headers: { "content-type": "application/json", cookie, origin: app.url }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const connection = await api<{ id: string }>("/api/connections", { name: "Bench provider", baseUrl: providerUrl, models: [{ name: "bench-model" }] });
  const prompt = await api<{ prompt: { id: string } }>("/api/prompts", { name: "bench", description: "" });
  const draft = { messages: [{ role: "user", content: "{{ marker }}" }], examples: [], counterexamples: [], exampleMode: "chat", params: {} };

  const overheads: number[] = [];
  for (let run = 0; run < RUNS + 3; run++) {
    const marker = `run-${run}`;
    const response = await fetch(`${app.url}/api/playground/run`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: app.url },
      body: JSON.stringify({ promptId: prompt.prompt.id, versionId: null, draft, variables: { marker }, targets: [{ key: "t", connectionId: connection.id, model: "bench-model", params: {} }] }),
    });
    if (!response.ok || !response.body) throw new Error(`run: ${response.status} ${await response.text()}`);
    let receivedAt: number | null = null;
    for await (const event of readServerEvents(response.body)) {
      if (event.event === "text-delta" && receivedAt === null) receivedAt = performance.now();
    }
    const sentAt = firstByteAt.get(marker);
    if (receivedAt === null || sentAt === undefined) throw new Error(`run ${run}: no first token`);
    if (run >= 3) overheads.push(receivedAt - sentAt); // the first runs warm up the server's code paths
  }
  console.log(`${RUNS} playground runs through the real app (one target, streamed SSE)`);
  console.log(`provider first byte → client receives it: median ${median(overheads).toFixed(2)} ms, p90 ${quantile(overheads, 0.9).toFixed(2)} ms, max ${Math.max(...overheads).toFixed(2)} ms`);
  console.log(ratioLine("median added latency (ideal 0)", median(overheads), TARGET_MS));
} finally {
  await app.stop();
}

try {
  const target = { baseURL: providerUrl, apiKey: "bench", timeoutMs: TIMEOUT_MS };
  const messages = [{ role: "user" as const, content: "hello" }];
  const silent: number[] = [];
  const stalled: number[] = [];
  const aborted: number[] = [];
  for (let run = 0; run < TIMEOUT_RUNS; run++) {
    const never = await callModel({ ...target, model: "bench-silent" }, messages, {});
    if (never.error?.kind !== "timeout") throw new Error(`bench-silent: expected a timeout, got ${JSON.stringify(never.error)}`);
    silent.push(never.latencyMs - TIMEOUT_MS);

    let lastByteAt = 0;
    const stall = await callModel({ ...target, model: "bench-stall" }, messages, {}, { onDelta: () => (lastByteAt = performance.now()) });
    if (stall.error?.kind !== "timeout") throw new Error(`bench-stall: expected a timeout, got ${JSON.stringify(stall.error)}`);
    stalled.push(performance.now() - lastByteAt - TIMEOUT_MS);

    const controller = new AbortController();
    let abortedAt = 0;
    const cancel = await callModel({ ...target, model: "bench-slow", timeoutMs: 5_000 }, messages, {}, {
      signal: controller.signal,
      onDelta: () => {
        abortedAt = performance.now();
        controller.abort();
      },
    });
    if (cancel.finishReason !== "cancelled") throw new Error(`bench-slow: expected a cancelled call, got ${cancel.finishReason}`);
    aborted.push(performance.now() - abortedAt);
  }
  console.log(`\ncallModel giving up, ${TIMEOUT_RUNS} runs each, timeoutMs ${TIMEOUT_MS} (ideal 0 ms late)`);
  console.log(ratioLine("no answer: result after the deadline, median", median(silent), GIVE_UP_TARGET_MS));
  console.log(ratioLine("stalled stream: after the deadline, median", median(stalled), GIVE_UP_TARGET_MS));
  console.log(ratioLine("aborted by the caller: after abort(), median", median(aborted), GIVE_UP_TARGET_MS));
} finally {
  provider.closeAllConnections();
  provider.close();
}
