import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../../lib/errors.ts";
import { MetricsRecorder } from "../../../lib/local-models/metrics.ts";
import { fetchServerStatus, measureSpeed, serverOrigin } from "../../../lib/local-models/server-client.ts";
import type { Timings } from "../../../lib/local-models/generate.ts";

function timings(predictedN: number, predictedMs: number, promptMs = 5): Timings {
  return {
    queue_ms: 1, cache_n: 0, prompt_n: 4, prompt_ms: promptMs, prompt_per_token_ms: promptMs / 4, prompt_per_second: 4000 / promptMs,
    predicted_n: predictedN, predicted_ms: predictedMs, predicted_per_token_ms: predictedMs / Math.max(1, predictedN - 1),
    predicted_per_second: ((predictedN - 1) * 1000) / predictedMs,
  };
}

/** A fetch that answers completions with given timings and records the bodies it was sent. */
function completionsFetch(answers: Array<{ status: number; body: unknown }>) {
  const sent: unknown[] = [];
  const fetchStub = (async (_url: string | URL | Request, init?: RequestInit) => {
    sent.push(JSON.parse(String(init?.body)));
    const answer = answers.shift()!;
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return { fetchStub, sent };
}

/** A port nothing listens on. */
let closedPort: number;
beforeAll(async () => {
  closedPort = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
});

describe("measureSpeed", () => {
  it("loads with one token, then measures fixed-length runs and pools their generation time", async () => {
    const ok = (t: Timings) => ({ status: 200, body: { usage: { prompt_tokens: 4, completion_tokens: t.predicted_n }, timings: t } });
    const { fetchStub, sent } = completionsFetch([ok(timings(1, 0)), ok(timings(33, 100, 9)), ok(timings(33, 300, 3))]);
    const result = await measureSpeed({ baseUrl: "http://local/v1", model: "tiny", fetch: fetchStub });
    // 64 tokens after the first over 400 ms of generation; first token = queue + prompt, averaged.
    expect(result).toEqual({ tokensPerSecond: 160, timeToFirstTokenMs: 7, completionTokens: 66, runs: 2 });
    expect(sent).toEqual([
      expect.objectContaining({ model: "tiny", max_tokens: 1, ignore_eos: true, temperature: 0 }),
      expect.objectContaining({ max_tokens: 32, ignore_eos: true }),
      expect.objectContaining({ max_tokens: 32, ignore_eos: true }),
    ]);
  });

  it("passes on the server's own error message", async () => {
    const { fetchStub } = completionsFetch([{ status: 404, body: { error: { message: "The model 'gone' does not exist" } } }]);
    const error = await measureSpeed({ baseUrl: "http://local/v1", model: "gone", fetch: fetchStub }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "not_found", message: "Could not measure 'gone': The model 'gone' does not exist" });
  });

  it("says how to start the server when nothing listens", async () => {
    const error = await measureSpeed({ baseUrl: `http://127.0.0.1:${closedPort}/v1`, model: "m" }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "unavailable" });
    expect((error as Error).message).toContain("does not answer (ECONNREFUSED)");
    expect((error as Error).message).toContain("assay serve-model");
  });
});

describe("fetchServerStatus", () => {
  it("reports a stopped server as unreachable, with the reason", async () => {
    const status = await fetchServerStatus({ baseUrl: `http://127.0.0.1:${closedPort}/v1` });
    expect(status).toMatchObject({ reachable: false, url: `http://127.0.0.1:${closedPort}` });
    expect(status.reachable === false && status.message).toContain("(ECONNREFUSED)");
  });

  it("finds /metrics beside /v1", () => {
    expect(serverOrigin("http://127.0.0.1:8088/v1/")).toBe("http://127.0.0.1:8088");
    expect(serverOrigin("http://host:1/v1")).toBe("http://host:1");
  });
});

describe("MetricsRecorder", () => {
  it("averages speed over requests that generated, and counts cancelled and failed apart", () => {
    const metrics = new MetricsRecorder();
    for (const model of ["a", "a", "a", "a"]) metrics.requestStarted(model);
    metrics.requestFinished("a", { promptTokens: 4, completionTokens: 11, cancelled: false, timings: timings(11, 100) });
    metrics.requestFinished("a", { promptTokens: 4, completionTokens: 31, cancelled: false, timings: timings(31, 100, 15) });
    metrics.requestFinished("a", { promptTokens: 4, completionTokens: 2, cancelled: true, timings: timings(2, 0) });
    metrics.requestFailed("a");
    expect(metrics.snapshot().a).toEqual({
      requests: 4, completed: 2, cancelled: 1, failed: 1, promptTokens: 12, completionTokens: 44,
      meanTokensPerSecond: 200, overallTokensPerSecond: 200, meanTimeToFirstTokenMs: (6 + 16 + 6) / 3,
    });
  });
});
