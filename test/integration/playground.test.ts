import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";

const { db } = await import("../../lib/db.ts");
const connections = await import("../../lib/connections/service.ts");
const { startPlaygroundRun } = await import("../../lib/playground/run.ts");
const { listPromptCalls } = await import("../../lib/playground/history.ts");
const { readServerEvents } = await import("../../lib/ui/sse.ts");
const prompts = await import("../../lib/prompts/service.ts");

let fake: FakeOpenAI;
let member: Parameters<typeof startPlaygroundRun>[0];
let connectionId: string;
let promptId: string;

const draft = {
  messages: [
    { role: "system" as const, content: "Answer with one word." },
    { role: "user" as const, content: "{{ question }}" },
  ],
  examples: [{ variables: { question: "Capital of France?" }, output: "Paris" }],
  counterexamples: [{ variables: { question: "Capital of Spain?" }, output: "It is Madrid.", reason: "Not one word" }],
  exampleMode: "chat" as const,
  params: { temperature: 0 },
};

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  fake = await startFakeOpenAI({ models: ["fake-echo", "fake-no-usage"], reply: "Rome", tokenDelayMs: 2 });
  const workspace = await db.workspace.create({ data: { name: "Playground", slug: `playground-${suffix}` } });
  const user = await db.user.create({ data: { id: randomUUID(), name: "Pat", email: `pat-${suffix}@example.com`, emailVerified: true } });
  member = { user: { id: user.id, name: user.name, email: user.email }, workspace: { id: workspace.id, name: workspace.name, slug: workspace.slug }, role: "owner" };
  connectionId = (
    await connections.createConnection(workspace.id, {
      name: "Fake",
      baseUrl: fake.url,
      models: [{ name: "fake-echo", contextWindow: 8000, inputPricePerM: 1, outputPricePerM: 2 }],
    })
  ).id;
  promptId = (await prompts.createPrompt(workspace.id, user.id, { name: "capitals", version: { ...draft, commitMessage: "v1" } })).id;
});

afterAll(async () => {
  await fake.close();
});

async function collect(stream: ReadableStream<Uint8Array>) {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  for await (const event of readServerEvents(stream)) events.push({ event: event.event, data: JSON.parse(event.data) });
  return events;
}

describe("playground runs", () => {
  it("streams two targets side by side and stores every call with usage, cost and timings", async () => {
    const stream = await startPlaygroundRun(
      member,
      {
        promptId,
        versionId: null,
        draft: { ...draft, examples: draft.examples, counterexamples: draft.counterexamples },
        variables: { question: "Capital of Italy?" },
        targets: [
          { key: "a", connectionId, model: "fake-echo", params: {} },
          { key: "b", connectionId, model: "fake-no-usage", params: { maxTokens: 5 } },
        ],
      },
      new AbortController().signal,
    );
    const events = await collect(stream);
    const deltas = events.filter((item) => item.event === "text-delta");
    expect(deltas.map((item) => item.data.text).join("")).toBe("RomeRome");
    expect(events.at(-1)?.event).toBe("run-finished");

    const { calls, models } = await listPromptCalls(member.workspace.id, promptId, {});
    expect(calls).toHaveLength(2);
    expect(models).toEqual(["fake-echo", "fake-no-usage"]);
    const echo = calls.find((call) => call.model === "fake-echo")!;
    expect(echo).toMatchObject({ output: "Rome", finishReason: "stop", usageEstimated: false, versionId: null, userName: "Pat", error: null });
    expect(echo.inputTokens).toBeGreaterThan(10);
    expect(echo.cost).toBeCloseTo((echo.inputTokens! * 1 + echo.outputTokens! * 2) / 1e6, 12);
    expect(echo.ttftMs).toBeGreaterThan(0);
    expect(echo.latencyMs).toBeGreaterThanOrEqual(echo.ttftMs!);
    // The example as a user/assistant turn; the counterexample and its reason in the system message.
    expect(echo.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(echo.messages[0]!.content).toContain("It is Madrid.");
    expect(echo.messages[0]!.content).toContain("Not one word");
    expect(echo.messages[2]!.content).toBe("Paris");
    const noUsage = calls.find((call) => call.model === "fake-no-usage")!;
    expect(noUsage.usageEstimated).toBe(true);
    expect(noUsage.outputTokens).toBeGreaterThan(0);
    expect(noUsage.params).toMatchObject({ maxTokens: 5, temperature: 0 });
  });

  it("stores a provider error as the provider said it, and filters history by model", async () => {
    fake.setBehavior({ failure: "context_length" }, "fake-echo");
    const stream = await startPlaygroundRun(
      member,
      { promptId, versionId: null, draft, variables: { question: "Long?" }, targets: [{ key: "a", connectionId, model: "fake-echo", params: {} }] },
      new AbortController().signal,
    );
    await collect(stream);
    fake.resetBehavior();
    const { calls } = await listPromptCalls(member.workspace.id, promptId, { model: "fake-echo" });
    expect(calls).toHaveLength(2);
    expect(calls[0]!.error).toMatchObject({ kind: "context_length", status: 400 });
    expect(calls[0]!.error!.message).toMatch(/maximum context length/);
  });

  it("a stopped run keeps what was streamed and records the cancellation", async () => {
    fake.setBehavior({ tokenDelayMs: 200, reply: "one two three four five six" }, "fake-echo");
    const controller = new AbortController();
    const stream = await startPlaygroundRun(
      member,
      { promptId, versionId: null, draft, variables: { question: "Count" }, targets: [{ key: "a", connectionId, model: "fake-echo", params: {} }] },
      controller.signal,
    );
    setTimeout(() => controller.abort(), 500);
    // A stop ends the stream cleanly: the call is reported finished (as cancelled), then the run.
    const events = (await collect(stream)).map((event) => event.event);
    expect(events.slice(-2)).toEqual(["call-finished", "run-finished"]);
    fake.resetBehavior();
    await expect.poll(async () => (await listPromptCalls(member.workspace.id, promptId, { model: "fake-echo" })).calls.length, { timeout: 5000 }).toBe(3);
    const [latest] = (await listPromptCalls(member.workspace.id, promptId, { model: "fake-echo" })).calls;
    expect(latest!.error?.kind).toBe("cancelled");
    expect(latest!.output.length).toBeGreaterThan(0);
    expect(latest!.output).not.toBe("one two three four five six");
  });

  it("a history write that fails after the call streams an error event with the output kept, and logs it", async () => {
    // The prompt is deleted while the call is in flight, so storing the call breaks its foreign key.
    const doomed = (await prompts.createPrompt(member.workspace.id, member.user.id, { name: `doomed-${randomUUID().slice(0, 6)}`, version: { ...draft, commitMessage: "v1" } })).id;
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    fake.setBehavior({ latencyMs: 300 });
    try {
      const stream = await startPlaygroundRun(
        member,
        { promptId: doomed, versionId: null, draft, variables: { question: "Capital of Italy?" }, targets: [{ key: "a", connectionId, model: "fake-echo", params: {} }] },
        new AbortController().signal,
      );
      const events: { event: string; data: Record<string, unknown> }[] = [];
      for await (const event of readServerEvents(stream)) {
        events.push({ event: event.event, data: JSON.parse(event.data) });
        if (event.event === "call-started") await db.prompt.delete({ where: { id: doomed } });
      }
      expect(events.map((item) => item.event)).toEqual(["call-started", "text-delta", "call-finished", "error"]);
      expect((events[2]?.data.call as { output: string }).output).toBe("Rome");
      expect(String(events[3]?.data.message)).toMatch(/^The call was made but could not be saved: /);
      expect(logged).toHaveBeenCalledTimes(1);
      expect(String(logged.mock.calls[0]?.[0])).toBe("POST /api/playground/run: the event stream failed:");
      expect(String((logged.mock.calls[0]?.[1] as Error).message)).toMatch(/^The call was made but could not be saved: /);
    } finally {
      fake.setBehavior({ latencyMs: 0 });
      logged.mockRestore();
    }
  });

  it("rejects a missing variable before any call", async () => {
    const before = fake.requests.length;
    await expect(
      startPlaygroundRun(member, { promptId, versionId: null, draft, variables: {}, targets: [{ key: "a", connectionId, model: "fake-echo", params: {} }] }, new AbortController().signal),
    ).rejects.toThrow(/question/);
    expect(fake.requests.length).toBe(before);
  });
});
