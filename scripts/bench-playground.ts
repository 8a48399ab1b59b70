// `npm run bench:playground`: the time Assay adds between a provider's first byte and the client receiving it.
// A provider in this process writes its first token and records the moment; the client (a fetch of the playground
// SSE endpoint, what the browser does) records when that token's text-delta event arrives. Both clocks are this
// process's performance.now(). The app is the real `assay start` build. Target: median under 20 ms.
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { readServerEvents } from "../lib/ui/sse.ts";
import { median, quantile, ratioLine, startApp } from "./bench-support.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const TARGET_MS = 20;
const root = path.resolve(import.meta.dirname, "..");

const firstByteAt = new Map<string, number>();
const provider = http.createServer(async (request, response) => {
  if (request.url?.endsWith("/models")) {
    response.writeHead(200, { "content-type": "application/json" });
    return response.end(JSON.stringify({ object: "list", data: [{ id: "bench-model", object: "model", created: 0, owned_by: "bench" }] }));
  }
  let body = "";
  for await (const chunk of request) body += chunk;
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
  provider.close();
}
