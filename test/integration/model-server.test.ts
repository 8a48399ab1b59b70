import path from "node:path";
import Ajv from "ajv";
import type { Llama } from "node-llama-cpp";
import OpenAI, { APIError, BadRequestError, NotFoundError, RateLimitError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Timings } from "../../lib/local-models/generate.ts";
import { greedyContinuation } from "../../lib/local-models/ngram-model.ts";
import { startModelServer, type ModelServer, type ModelServerOptions } from "../../lib/local-models/server.ts";
import { SCRIPTED_TEXT, testLlama, writeScriptedModel, writeTestModels, type TestModels } from "../support/local-models.ts";

// The official openai SDK against Assay's model server over real HTTP, with the project's own GGUF models: the
// n-gram model (exact, checkable text), the random model (real transformer work) and a scripted model that writes
// multi-byte characters one byte token at a time.

let models: TestModels;
let llama: Llama;
let server: ModelServer;
let openai: OpenAI;
const SCRIPTED = "assay-scripted-utf8";
const servers: ModelServer[] = [];

async function start(options: Partial<ModelServerOptions> = {}): Promise<ModelServer> {
  const started = await startModelServer({ modelsDir: models.dir, port: 0, llama, contextSize: 512, ...options });
  servers.push(started);
  return started;
}

function clientFor(target: ModelServer, maxRetries = 0): OpenAI {
  return new OpenAI({ baseURL: `${target.url}/v1`, apiKey: "not-needed", maxRetries });
}

async function metrics(target: ModelServer): Promise<Record<string, Record<string, unknown>>> {
  const response = await fetch(`${target.url}/metrics`);
  return ((await response.json()) as { models: Record<string, Record<string, unknown>> }).models;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the n-gram model must answer to a chat whose last message is `prompt` (chat replies start at a word). */
const expectedReply = (prompt: string, maxTokens = 64) => greedyContinuation(models.ngram, prompt, maxTokens).text.trimStart();

beforeAll(async () => {
  models = await writeTestModels();
  await writeScriptedModel(path.join(models.dir, `${SCRIPTED}.gguf`));
  llama = await testLlama();
  server = await start();
  openai = clientFor(server);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((item) => item.close()));
  await models?.remove();
});

describe("the openai SDK against the model server", () => {
  it("lists the models of the folder", async () => {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual([models.ngramId, models.randomId, SCRIPTED].sort());
    expect(await openai.models.retrieve(models.ngramId)).toMatchObject({ id: models.ngramId, object: "model", owned_by: "assay-local" });
  });

  it("answers a chat without streaming, with the model's token counts and server timings", async () => {
    const prompt = "Latency is";
    const completion = await openai.chat.completions.create({
      model: models.ngramId,
      messages: [{ role: "user", content: prompt }],
      temperature: 0,
    });
    const expected = greedyContinuation(models.ngram, prompt, 64);
    expect(completion.choices[0]!.message).toMatchObject({ role: "assistant", content: expected.text.trimStart() });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    // BOS, then the message as node-llama-cpp tokenizes text after a special token: without a space before it.
    const promptTokens = 1 + models.ngram.tokenizer.encode(prompt, { addSpacePrefix: false }).length;
    expect(completion.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: expected.tokens.length,
      total_tokens: promptTokens + expected.tokens.length,
    });
    const timings = (completion as unknown as { timings: Timings }).timings;
    expect(timings.predicted_n).toBe(expected.tokens.length);
    expect(timings.prompt_n + timings.cache_n).toBe(completion.usage!.prompt_tokens);
    expect(timings.predicted_per_second).toBeGreaterThan(0);
    expect(timings.prompt_ms).toBeGreaterThan(0);
  });

  it("streams a chat with usage in a last chunk (stream_options.include_usage)", async () => {
    const prompt = "Streaming shows the first words early";
    const stream = await openai.chat.completions.create({
      model: models.ngramId,
      messages: [{ role: "system", content: "You explain latency." }, { role: "user", content: prompt }],
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(expectedReply(prompt));
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const contentChunks = chunks.filter((chunk) => chunk.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThan(1);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish?.choices[0]?.finish_reason).toBe("stop");
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: greedyContinuation(models.ngram, prompt, 64).tokens.length });
    expect(last.usage!.prompt_tokens).toBeGreaterThan(models.ngram.tokenizer.encode(prompt).length);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it("works with the SDK's chat.completions.stream() helper", async () => {
    const prompt = "A small model";
    const deltas: string[] = [];
    const runner = openai.chat.completions.stream({ model: models.ngramId, messages: [{ role: "user", content: prompt }], temperature: 0 });
    runner.on("content", (delta) => deltas.push(delta));
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe(expectedReply(prompt));
    expect(deltas.join("")).toBe(expectedReply(prompt));
    expect(await runner.finalContent()).toBe(expectedReply(prompt));
  });

  it("answers /v1/completions with the exact greedy continuation, echo, stop and length", async () => {
    const prompt = "Tokens per second";
    const expected = greedyContinuation(models.ngram, prompt, 64);
    const plain = await openai.completions.create({ model: models.ngramId, prompt, temperature: 0, max_tokens: 64 });
    expect(plain.choices[0]).toMatchObject({ text: expected.text, finish_reason: "stop" });
    expect(plain.object).toBe("text_completion");

    const echoed = await openai.completions.create({ model: models.ngramId, prompt, temperature: 0, max_tokens: 64, echo: true });
    expect(echoed.choices[0]!.text).toBe(prompt + expected.text);

    const cut = await openai.completions.create({ model: models.ngramId, prompt: "Latency is", temperature: 0, max_tokens: 64, stop: [" model"] });
    expect(cut.choices[0]).toMatchObject({ text: greedyContinuation(models.ngram, "Latency is", 64).text.split(" model")[0], finish_reason: "stop" });

    // llama-server's ignore_eos: the n-gram model would stop after "." but writes on to the limit.
    const long = await openai.completions.create({ model: models.ngramId, prompt: "Latency is", temperature: 0, max_tokens: 12, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    expect(long.choices[0]!.finish_reason).toBe("length");
    expect(long.usage!.completion_tokens).toBe(12);
    expect(long.choices[0]!.text.startsWith(greedyContinuation(models.ngram, "Latency is", 64).text)).toBe(true);

    const stream = await openai.completions.create({ model: models.ngramId, prompt, temperature: 0, max_tokens: 64, stream: true, stream_options: { include_usage: true } });
    let streamed = "";
    let usage;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.text ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(streamed).toBe(expected.text);
    expect(usage).toMatchObject({ completion_tokens: expected.tokens.length });
  });

  it("returns JSON that parses and follows the schema (response_format json_schema through a grammar)", async () => {
    const schema = {
      type: "object",
      properties: {
        label: { type: "string", enum: ["positive", "negative", "mixed"] },
        confidence: { type: "number" },
        count: { type: "integer" },
        reasons: { type: "array", items: { type: "string", maxLength: 16 }, maxItems: 3 },
        reviewer: { anyOf: [{ $ref: "#/$defs/person" }, { type: "null" }] },
      },
      required: ["label", "confidence", "count", "reasons", "reviewer"],
      additionalProperties: false,
      $defs: { person: { type: "object", properties: { name: { type: "string", maxLength: 16 } }, required: ["name"], additionalProperties: false } },
    };
    // The random model writes arbitrary tokens; only the grammar makes its output JSON. Its random byte tokens can form
    // invalid UTF-8, which decodes to more characters than the grammar counted, so lengths are left out of the check.
    const validate = new Ajv().compile(JSON.parse(JSON.stringify(schema).replaceAll(',"maxLength":16', "")));
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const completion = await openai.chat.completions.create({
        model: models.randomId,
        messages: [{ role: "user", content: "Classify: great sound, weak battery." }],
        response_format: { type: "json_schema", json_schema: { name: "review", schema, strict: true } },
        temperature: 1,
        seed,
        max_tokens: 400,
      });
      const content = completion.choices[0]!.message.content!;
      const parsed: unknown = JSON.parse(content);
      expect(validate(parsed), `${content}\n${JSON.stringify(validate.errors)}`).toBe(true);
      expect(completion.choices[0]!.finish_reason).toBe("stop");
    }

    const object = await openai.chat.completions.create({
      model: models.randomId,
      messages: [{ role: "user", content: "Any JSON object" }],
      response_format: { type: "json_schema", json_schema: { name: "flat", schema: { type: "object", properties: { ok: { type: "boolean" } } } } },
      seed: 9,
    });
    expect(JSON.parse(object.choices[0]!.message.content!)).toEqual({ ok: expect.any(Boolean) });
  });

  it("refuses, under strict, a schema keyword the grammar cannot enforce", async () => {
    const error = await openai.chat.completions
      .create({
        model: models.randomId,
        messages: [{ role: "user", content: "x" }],
        response_format: { type: "json_schema", json_schema: { name: "code", strict: true, schema: { type: "object", properties: { code: { type: "string", pattern: "^[A-Z]+$" } } } } },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).param).toBe("response_format.json_schema.schema.properties.code.pattern");
  });

  it("answers an unknown model with 404 model_not_found", async () => {
    const error = await openai.chat.completions.create({ model: "llama-3-405b", messages: [{ role: "user", content: "hi" }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: "model_not_found", param: "model", type: "invalid_request_error" });
    expect((error as Error).message).toContain("llama-3-405b");
  });

  it("answers a prompt longer than the context with 400 context_length_exceeded", async () => {
    const error = await openai.chat.completions
      .create({ model: models.ngramId, messages: [{ role: "user", content: "latency matters ".repeat(400) }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, code: "context_length_exceeded", param: "messages" });
    expect((error as Error).message).toMatch(/maximum context length is 512 tokens, but the prompt has \d+ tokens/);
  });

  it("answers an invalid parameter with 400 naming it", async () => {
    const error = await openai.chat.completions
      .create({ model: models.ngramId, messages: [{ role: "user", content: "hi" }], temperature: 7 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "temperature", type: "invalid_request_error" });
    expect((error as Error).message).toContain("Invalid 'temperature'");
  });

  it("answers 503 with Retry-After while a model is still loading, and the SDK's retry then gets the answer", async () => {
    const slow = await start({ loadWaitMs: 1 });
    const error = await clientFor(slow)
      .chat.completions.create({ model: models.ngramId, messages: [{ role: "user", content: "Latency is" }], temperature: 0 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 503, code: "model_loading" });
    expect((error as APIError).headers?.get("retry-after")).toBe("1");

    const retried = await clientFor(slow, 3).chat.completions.create({ model: models.ngramId, messages: [{ role: "user", content: "Latency is" }], temperature: 0 });
    expect(retried.choices[0]!.message.content).toBe(expectedReply("Latency is"));
  });

  it("serves 8 concurrent requests, each with its own correct output", async () => {
    const prompts = [
      "Latency is",
      "A small model",
      "Tokens per second",
      "We measure the student",
      "Streaming shows the first words early",
      "Quantization stores the weights",
      "A counterexample shows",
      "Users notice latency",
    ];
    const answers = await Promise.all(
      prompts.map(async (prompt, index) => {
        if (index % 2 === 0) {
          const completion = await openai.chat.completions.create({ model: models.ngramId, messages: [{ role: "user", content: prompt }], temperature: 0 });
          return completion.choices[0]!.message.content;
        }
        const stream = await openai.chat.completions.create({ model: models.ngramId, messages: [{ role: "user", content: prompt }], temperature: 0, stream: true });
        let text = "";
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
        return text;
      }),
    );
    expect(answers).toEqual(prompts.map((prompt) => expectedReply(prompt)));

    // The random model through the same 4 sequences: concurrent answers equal the same requests run one by one.
    const request = (prompt: string) =>
      openai.completions.create({ model: models.randomId, prompt, temperature: 0, max_tokens: 24, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    const randomPrompts = prompts.map((prompt) => prompt.toLowerCase());
    const concurrent = await Promise.all(randomPrompts.map(request));
    const sequential = [];
    for (const prompt of randomPrompts) sequential.push(await request(prompt));
    expect(concurrent.map((item) => item.choices[0]!.text)).toEqual(sequential.map((item) => item.choices[0]!.text));
    expect(new Set(concurrent.map((item) => item.choices[0]!.text)).size).toBe(8);
  });

  it("frees the slot of a client that disconnects mid-stream: the next request is served at once", async () => {
    const single = await start({ parallelSequences: 1, contextSize: 2048 });
    const client = clientFor(single);
    const controller = new AbortController();
    const stream = await client.completions.create(
      { model: models.randomId, prompt: "a long answer", temperature: 0, max_tokens: 2000, ignore_eos: true, stream: true } as OpenAI.CompletionCreateParamsStreaming,
      { signal: controller.signal },
    );
    let received = 0;
    for await (const chunk of stream) {
      received += chunk.choices[0]?.text ? 1 : 0;
      // The SDK ends the iteration when its signal aborts, closing the connection.
      if (received === 5) controller.abort();
    }
    expect(received).toBe(5);

    // One sequence only: the next request is served only once the abandoned generation gave its slot back.
    const next = await client.completions.create({ model: models.ngramId, prompt: "Latency is", temperature: 0, max_tokens: 8 });
    expect(next.choices[0]!.text).toBe(greedyContinuation(models.ngram, "Latency is", 8).text);
    // ...and it gave it back by stopping, not by running its 2,000 tokens out: counted as cancelled, short of the
    // limit. (How soon after the disconnect is a figure: `npm run bench:local` prints it.)
    await waitFor(async () => (await metrics(single))[models.randomId]?.cancelled === 1);
    const random = (await metrics(single))[models.randomId]!;
    expect(random).toMatchObject({ cancelled: 1, activeRequests: 0 });
    expect(random.completionTokens as number).toBeLessThan(2000);
  });

  it("refuses past the bounded queue with 429 and Retry-After", async () => {
    const tight = await start({ parallelSequences: 1, maxQueue: 1, contextSize: 2048 });
    const client = clientFor(tight);
    const long = { model: models.randomId, prompt: "busy", temperature: 0, max_tokens: 2000, ignore_eos: true, stream: true } as OpenAI.CompletionCreateParamsStreaming;
    const first = new AbortController();
    await client.completions.create(long, { signal: first.signal });
    const second = client.completions.create({ ...long, max_tokens: 3 }, {});
    await waitFor(async () => (await metrics(tight))[models.randomId]?.queuedRequests === 1);

    const refused = await client.completions.create({ ...long, stream: false, max_tokens: 3 } as OpenAI.CompletionCreateParamsNonStreaming).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(refused).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect((refused as RateLimitError).headers?.get("retry-after")).toBe("1");

    first.abort();
    let text = "";
    for await (const chunk of await second) text += chunk.choices[0]?.text ?? "";
    expect(text.length).toBeGreaterThan(0);
  });

  it("never splits a UTF-8 character across streamed chunks", async () => {
    for (const kind of ["chat", "completion"] as const) {
      const deltas: string[] = [];
      if (kind === "chat") {
        const stream = await openai.chat.completions.create({ model: SCRIPTED, messages: [{ role: "user", content: "go" }], temperature: 0, stream: true });
        for await (const chunk of stream) if (chunk.choices[0]?.delta.content) deltas.push(chunk.choices[0].delta.content);
      } else {
        const stream = await openai.completions.create({ model: SCRIPTED, prompt: "go", temperature: 0, max_tokens: 20, stream: true });
        for await (const chunk of stream) if (chunk.choices[0]?.text) deltas.push(chunk.choices[0].text);
      }
      expect(deltas.join("")).toBe(SCRIPTED_TEXT);
      for (const delta of deltas) expect(delta).not.toContain("\uFFFD");
      expect(deltas).toContain("😀");
      expect(deltas.some((delta) => delta.includes("≈"))).toBe(true);
    }
  });

  it("reports per-model figures at GET /metrics", async () => {
    const before = (await metrics(server))[models.ngramId]!;
    await openai.chat.completions.create({ model: models.ngramId, messages: [{ role: "user", content: "Latency is" }], temperature: 0 });
    const after = await metrics(server);
    expect(after[models.ngramId]).toMatchObject({
      state: "loaded",
      activeRequests: 0,
      queuedRequests: 0,
      contextSize: 512,
      completed: (before.completed as number) + 1,
    });
    expect(after[models.ngramId]!.meanTokensPerSecond as number).toBeGreaterThan(0);
    expect(after[models.ngramId]!.meanTimeToFirstTokenMs as number).toBeGreaterThan(0);
    expect(after[models.ngramId]!.memoryBytes as number).toBeGreaterThan(0);
    expect(after[SCRIPTED]).toMatchObject({ state: "loaded" });
  });

  it("keeps loaded models within the memory budget and unloads idle ones", async () => {
    // Room for one model at a time: loading the second unloads the first, which is idle.
    const sizes = await metrics(server);
    const largest = Math.max(sizes[models.ngramId]!.memoryBytes as number, sizes[models.randomId]!.memoryBytes as number);
    const budget = await start({ memoryBudgetBytes: largest + 1, idleUnloadMs: 400 });
    const client = clientFor(budget);
    await client.completions.create({ model: models.ngramId, prompt: "Latency is", temperature: 0, max_tokens: 2 });
    expect((await metrics(budget))[models.ngramId]).toMatchObject({ state: "loaded" });
    await client.completions.create({ model: models.randomId, prompt: "hello", temperature: 0, max_tokens: 2 });
    const both = await metrics(budget);
    expect(both[models.ngramId]).toMatchObject({ state: "unloaded" });
    expect(both[models.randomId]).toMatchObject({ state: "loaded" });
    await waitFor(async () => (await metrics(budget))[models.randomId]?.state === "unloaded", 5000);
  });
});
