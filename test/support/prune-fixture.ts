import { startFakeOpenAI, type FakeOpenAI } from "./fake-openai-server.ts";

// The seeded pruning workspace both pruning test files use: a suite of 20 reviews, a prompt with four examples of
// which only two carry the effect (the fake model answers right only when "key alpha" and "key gamma" are both in the
// prompt), a bare prompt with none, an empty suite, a fake connection, and a run worker. Import it after
// DATABASE_URL is set.

export const PRUNE_CASES = 20;

function reply(request: { messages: { role: string; content: string }[]; lastUserMessage: string }): string {
  const shown = (text: string) => request.messages.some((message) => message.role === "user" && message.content.includes(text));
  if (!shown("key alpha") || !shown("key gamma")) return "unsure";
  return request.lastUserMessage.includes("great") ? "positive" : "negative";
}

export interface PruneFixture {
  fake: FakeOpenAI;
  workspaceId: string;
  userId: string;
  connectionId: string;
  suiteId: string;
  emptySuiteId: string;
  versionId: string;
  bareVersionId: string;
  close(): Promise<void>;
}

export async function pruneFixture(options: { extraModels?: string[] } = {}): Promise<PruneFixture> {
  const { db } = await import("../../lib/db.ts");
  const { RunWorker } = await import("../../lib/runs/worker.ts");
  const { stopBoss } = await import("../../lib/runs/queue.ts");
  const { createConnection } = await import("../../lib/connections/service.ts");
  const { createPrompt } = await import("../../lib/prompts/service.ts");
  const fake = await startFakeOpenAI({ reply, latencyMs: 1 });
  const stamp = `${process.pid}-${Date.now()}`;
  const workspaceId = (await db.workspace.create({ data: { name: "Prune", slug: `prune-${stamp}` } })).id;
  const userId = (await db.user.create({ data: { id: `prune-${stamp}`, name: "Ada", email: `prune-${stamp}@example.com` } })).id;
  const models = [{ name: "fake-echo", inputPricePerM: 1, outputPricePerM: 2 }, ...(options.extraModels ?? []).map((name) => ({ name }))];
  const connectionId = (await createConnection(workspaceId, { name: "fake", baseUrl: fake.url, apiKey: "sk-test-0123456789abcdef", concurrency: 20, models })).id;
  const suiteId = (await db.suite.create({ data: { workspaceId, name: "Reviews", assertions: [{ type: "equals", value: "{{ expected }}" }] } })).id;
  const emptySuiteId = (await db.suite.create({ data: { workspaceId, name: "Empty", assertions: [] } })).id;
  await db.case.createMany({
    data: Array.from({ length: PRUNE_CASES }, (_, index) => ({
      suiteId,
      position: index,
      key: `review-${index}`,
      variables: { text: `${index % 2 === 0 ? "great" : "awful"} product ${index}` },
      expected: index % 2 === 0 ? "positive" : "negative",
    })),
  });
  const prompt = await createPrompt(workspaceId, userId, {
    name: "sentiment",
    version: {
      messages: [{ role: "user", content: "Classify: {{ text }}" }],
      examples: [
        { variables: { text: "key alpha" }, output: "positive" },
        { variables: { text: "filler two" }, output: "positive" },
        { variables: { text: "key gamma" }, output: "negative" },
        { variables: { text: "filler four" }, output: "negative" },
      ],
      params: { temperature: 0, maxTokens: 20 },
    },
  });
  const bareVersionId = (await createPrompt(workspaceId, userId, { name: "bare", version: { messages: [{ role: "user", content: "Classify: {{ text }}" }] } })).latest.id;
  const worker = new RunWorker({ log: () => {} });
  await worker.start();
  return {
    fake,
    workspaceId,
    userId,
    connectionId,
    suiteId,
    emptySuiteId,
    versionId: prompt.latest.id,
    bareVersionId,
    async close() {
      await worker.stop();
      await stopBoss();
      await db.workspace.deleteMany({ where: { id: workspaceId } });
      await db.user.deleteMany({ where: { id: userId } });
      await fake.close();
      await db.$disconnect();
    },
  };
}
