import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FakeOpenAI } from "../support/fake-openai-server.ts";
import { rejection } from "../support/app-error.ts";

// Online scoring of release outputs (a suite's assertions and a judge on a fake server), and the shadow → compare
// materialization: seeded shadow pairs scored by that scorer become a run the compare service reads like any other.

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const { getScorer, clearScorerCache } = await import("../../lib/releases/scoring.ts");
const { materializeShadowComparison, shadowSuiteName } = await import("../../lib/releases/shadow-compare.ts");
const { getComparison } = await import("../../lib/compare/service.ts");
const { startFakeOpenAI } = await import("../support/fake-openai-server.ts");

let workspaceId: string;
let userId: string;
let suiteId: string;
let connectionId: string;
let releaseId: string;
let stableVersionId: string;
let candidateVersionId: string;
let fake: FakeOpenAI;

const context = { variables: { country: "France" }, latencyMs: 120, cost: 0.0001, outputTokens: 12, finishReason: "stop" };

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  userId = `user-${suffix}`;
  await db.user.create({ data: { id: userId, name: "Ada", email: `ada-${suffix}@example.com` } });
  workspaceId = (await db.workspace.create({ data: { name: "Scoring", slug: `scoring-${suffix}` } })).id;
  suiteId = (
    await db.suite.create({
      data: {
        workspaceId,
        name: "Capitals",
        assertions: [{ type: "contains", value: "Paris" }, { type: "is-json" }, { type: "equals" }],
      },
    })
  ).id;
  // The judge passes an output that names Paris and says why; it reads the output from the message it is sent.
  fake = await startFakeOpenAI({
    reply: (request) => {
      const output = /<output>\n([\s\S]*?)\n<\/output>/.exec(request.lastUserMessage)?.[1] ?? "";
      const pass = output.includes("Paris");
      return JSON.stringify({ reasoning: pass ? "names the capital" : "does not name the capital", pass, score: pass ? 0.9 : 0.1 });
    },
  });
  connectionId = (await db.connection.create({ data: { workspaceId, name: "Judge server", baseUrl: fake.url } })).id;
  const prompt = await db.prompt.create({ data: { workspaceId, name: "capital" } });
  const version = (number: number) => ({
    promptId: prompt.id,
    number,
    messages: [{ role: "user", content: "Capital of {{country}} as JSON" }],
    examples: [],
    counterexamples: [],
    params: { temperature: 0 },
    model: "fake-echo",
    connectionId,
  });
  stableVersionId = (await db.promptVersion.create({ data: version(1) })).id;
  candidateVersionId = (await db.promptVersion.create({ data: version(2) })).id;
  releaseId = (
    await db.release.create({
      data: {
        workspaceId,
        promptId: prompt.id,
        mode: "shadow",
        state: "running",
        salt: "00ff",
        config: {},
        arms: {
          create: [
            { name: "stable", versionId: stableVersionId, position: 0 },
            { name: "candidate", versionId: candidateVersionId, position: 1 },
          ],
        },
      },
    })
  ).id;
});

afterAll(async () => {
  await fake?.close();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.user.deleteMany({ where: { id: userId } });
  await db.$disconnect();
});

describe("online scoring", () => {
  it("runs the suite's default assertions on a live output; one that needs an expected output fails and says why", async () => {
    const scorer = await getScorer(workspaceId, releaseId, { suiteId });
    expect(scorer).not.toBeNull();
    expect(scorer!.notes).toEqual([
      "Assertion 3 (equals) compares with the expected output; it fails on every call because live traffic has no expected output: give the assertion a value in the suite to score it online.",
    ]);
    const good = await scorer!.score('{"capital": "Paris"}', context);
    expect(good.results.map((outcome) => [outcome.type, outcome.pass])).toEqual([
      ["contains", true],
      ["is-json", true],
      ["equals", false],
    ]);
    expect(good.results[2]?.reason).toBe("equals has no value, and live traffic has no expected output: give the assertion a value in the suite to score it online");
    expect(good.pass).toBe(false);
    expect(good.score).toBeCloseTo(2 / 3, 12);
  });

  it("scores the listed assertions only, and caches the scorer per release and config", async () => {
    const first = await getScorer(workspaceId, releaseId, { suiteId, assertions: [0, 1] });
    const again = await getScorer(workspaceId, releaseId, { suiteId, assertions: [0, 1] });
    expect(again).toBe(first);
    const other = await getScorer(workspaceId, "another-release", { suiteId, assertions: [0, 1] });
    expect(other).not.toBe(first);
    const rome = await first!.score('{"capital": "Rome"}', context);
    expect(rome).toMatchObject({ pass: false, score: 0.5 });
    expect(rome.results[0]?.reason).toMatch(/Paris/);
    const notJson = await first!.score("Paris, of course", context);
    expect(notJson.results.map((outcome) => outcome.pass)).toEqual([true, false]);
    expect(await getScorer(workspaceId, releaseId, null)).toBeNull();
  });

  it("adds a judge rubric through the judge connection and model, called on the fake server", async () => {
    const before = fake.requests.length;
    const scorer = await getScorer(workspaceId, releaseId, {
      suiteId,
      assertions: [1],
      judge: { connectionId, model: "fake-echo", rubric: "Names the capital of {{country}}." },
    });
    const good = await scorer!.score('{"capital": "Paris"}', context);
    expect(good.results.map((outcome) => [outcome.type, outcome.pass])).toEqual([
      ["is-json", true],
      ["llm-rubric", true],
    ]);
    expect(good.results[1]).toMatchObject({ score: 0.9, reasoning: "names the capital" });
    const bad = await scorer!.score('{"capital": "Rome"}', context);
    expect(bad.pass).toBe(false);
    expect(bad.results[1]?.reason).toContain("Names the capital of France.");
    const judged = fake.requests.slice(before).filter((request) => request.path === "/v1/chat/completions");
    expect(judged).toHaveLength(2);
    const body = judged[0]?.body as { model: string; messages: { content: string }[] };
    expect(body.model).toBe("fake-echo");
    expect(body.messages[1]?.content).toContain("<rubric>\nNames the capital of France.\n</rubric>");
  });

  it("rejects when the judge fails, so the gateway stores no evaluation rather than a false failure", async () => {
    const scorer = await getScorer(workspaceId, releaseId, { judge: { connectionId, model: "fake-unauthorized", rubric: "Is good." } });
    await expect(scorer!.score("anything", context)).rejects.toThrow(/The judge \(fake-unauthorized\) failed/);
  });

  it("refuses a bad config naming the field, and does not keep the failure cached", async () => {
    const outOfRange = await rejection(getScorer(workspaceId, releaseId, { suiteId, assertions: [0, 7] }));
    expect(outOfRange.message).toBe('scoring.assertions[1]: suite "Capitals" has 3 default assertions, there is no index 7');
    const missing = await rejection(getScorer(workspaceId, releaseId, { suiteId: "no-such-suite" }));
    expect(missing.message).toBe('scoring.suiteId: no suite "no-such-suite" in this workspace');
    const rubricSuite = await db.suite.create({ data: { workspaceId, name: "Judged", assertions: [{ type: "llm-rubric", value: "Is polite." }] } });
    const noJudge = await rejection(getScorer(workspaceId, releaseId, { suiteId: rubricSuite.id }));
    expect(noJudge.message).toMatch(/^scoring\.judge: .*llm-rubric/);
    clearScorerCache();
  });
});

describe("shadow pairs → compare", () => {
  const PAIRS = 30;
  // stable passes requests 0–19, the candidate 0–14 and 20–27: both 15, only stable 5, only candidate 8, neither 2.
  const stablePasses = (index: number) => index < 20;
  const candidatePasses = (index: number) => index < 15 || (index >= 20 && index < 28);

  beforeAll(async () => {
    const scorer = await getScorer(workspaceId, releaseId, { suiteId, assertions: [0, 1] });
    const start = Date.UTC(2026, 11, 1, 12, 0, 0);
    const calls = [];
    for (let index = 0; index < PAIRS; index++) {
      const groupId = `group-${index}`;
      for (const arm of ["stable", "candidate"] as const) {
        const passes = arm === "stable" ? stablePasses(index) : candidatePasses(index);
        const output = passes ? `{"capital": "Paris", "request": ${index}}` : `{"capital": "Rome", "request": ${index}}`;
        const evaluation = await scorer!.score(output, context);
        calls.push({
          workspaceId,
          groupId,
          source: "gateway" as const,
          promptId: null,
          versionId: arm === "stable" ? stableVersionId : candidateVersionId,
          connectionId,
          model: "fake-echo",
          params: {},
          variables: { country: `Country ${index}` },
          messages: [],
          output,
          finishReason: "stop",
          inputTokens: 20,
          outputTokens: 10,
          cost: arm === "stable" ? 0.001 : 0.002,
          latencyMs: arm === "stable" ? 100 + index : 160 + index,
          ttftMs: 30,
          releaseId,
          arm,
          ring: "everyone",
          shadow: arm === "candidate",
          evaluation: JSON.parse(JSON.stringify(evaluation)) as object,
          passed: evaluation.pass,
          createdAt: new Date(start + index * 1000 + (arm === "candidate" ? 500 : 0)),
        });
      }
    }
    // A shadow call whose stable answer was never stored (still buffered when the process died) has no pair.
    calls.push({ ...calls[1]!, groupId: "orphan", createdAt: new Date(start + 99_000) });
    await db.call.createMany({ data: calls });
  });

  it("materializes the pairs as a finished run whose comparison has the seeded pass counts", async () => {
    const link = await materializeShadowComparison(workspaceId, userId, releaseId);
    expect(link.pairs).toBe(PAIRS);
    expect(link.leftOut).toBe(0);
    expect(link.url).toBe(`/compare?variants=${link.variantIds[0]},${link.variantIds[1]}`);
    const suite = await db.suite.findUniqueOrThrow({ where: { id: link.suiteId }, include: { cases: { orderBy: { position: "asc" } } } });
    expect(suite.name).toBe(`capital — shadow of release ${releaseId.slice(-8)}`);
    expect(suite.cases).toHaveLength(PAIRS);
    expect(suite.cases[0]?.variables).toEqual({ country: "Country 0" });

    const comparison = await getComparison(workspaceId, { variants: link.variantIds }, { resamples: 500 });
    expect(comparison.final).toBe(true);
    expect(comparison.analysedCases).toBe(PAIRS);
    expect(comparison.variants.map((variant) => [variant.label, variant.versionNumber])).toEqual([
      ["stable · capital v1", 1],
      ["candidate · capital v2", 2],
    ]);
    expect(comparison.stats.map((stats) => [stats.passRate?.passed, stats.passRate?.graded])).toEqual([
      [20, 30],
      [23, 30],
    ]);
    const pair = comparison.pairs[0];
    expect(pair?.passCounts).toEqual({ bothPass: 15, onlyA: 5, onlyB: 8, bothFail: 2 });
    // Exact McNemar on 5 vs 8 discordant requests: 2 · Σ_{k≤5} C(13, k) / 2¹³ = 2 · 2380 / 8192 (R: binom.test(5, 13)).
    expect(pair?.metrics.find((metric) => metric.metric === "passRate")?.pValue).toBeCloseTo(0.5810546875, 12);
    // The candidate is 60 ms slower on every request.
    expect(pair?.metrics.find((metric) => metric.metric === "latency")?.verdict).toMatch(/^B is slower/);
    // $0.001 vs $0.002 per call: $1 vs $2 per 1,000 calls.
    expect(comparison.stats[0]?.costPer1k?.estimate).toBeCloseTo(1, 9);
    expect(comparison.stats[1]?.costPer1k?.estimate).toBeCloseTo(2, 9);
  });

  it("keeps one snapshot per release, capped at the latest pairs", async () => {
    const capped = await materializeShadowComparison(workspaceId, userId, releaseId, { maxPairs: 10 });
    expect(capped).toMatchObject({ pairs: 10, leftOut: 20 });
    const suites = await db.suite.findMany({ where: { workspaceId, name: shadowSuiteName("capital", releaseId) }, include: { cases: { orderBy: { position: "asc" } } } });
    expect(suites).toHaveLength(1);
    expect(suites[0]?.cases.map((row) => (row.variables as { country: string }).country)).toEqual(
      Array.from({ length: 10 }, (_, index) => `Country ${20 + index}`),
    );
    expect(await db.run.count({ where: { workspaceId, suiteId: suites[0]?.id } })).toBe(1);
    expect(await db.run.count({ where: { workspaceId } })).toBe(1);
  });

  it("refuses a release of another workspace and one without shadow calls", async () => {
    expect((await rejection(materializeShadowComparison("other-workspace", userId, releaseId))).message).toBe(`No release "${releaseId}" in this workspace.`);
    const canary = await db.release.create({
      data: {
        workspaceId,
        promptId: (await db.promptVersion.findUniqueOrThrow({ where: { id: stableVersionId } })).promptId,
        mode: "canary",
        state: "draft",
        salt: "00aa",
        config: {},
        arms: { create: [{ name: "stable", versionId: stableVersionId, position: 0 }, { name: "candidate", versionId: candidateVersionId, position: 1 }] },
      },
    });
    expect((await rejection(materializeShadowComparison(workspaceId, userId, canary.id))).message).toMatch(/^This release has no shadow calls/);
  });
});

describe("a shadow release through the gateway, scored online, opened in compare", () => {
  it("stores both outputs with their evaluations, and the comparison has the pass counts the upstream was told to produce", async () => {
    const { Gateway } = await import("../../lib/gateway/gateway.ts");
    const { createGatewayKey } = await import("../../lib/gateway/keys.ts");
    // Request i asks about "Country i"; stable names Paris for i < 12, the candidate for i < 8 and 12 ≤ i < 18:
    // of 20 requests, both pass 8, only stable 4, only the candidate 6, neither 2.
    const REQUESTS = 20;
    const passes = (model: string, index: number) => (model === "fake-stable" ? index < 12 : index < 8 || (index >= 12 && index < 18));
    const upstream: typeof fetch = async (_input, init) => {
      const body = JSON.parse(String(init?.body)) as { model: string; messages: { content: string }[] };
      const index = Number(/Country (\d+)/.exec(body.messages.at(-1)?.content ?? "")?.[1]);
      const content = passes(body.model, index) ? `{"capital": "Paris", "request": ${index}}` : `{"capital": "Rome", "request": ${index}}`;
      const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1, model: body.model };
      const events = [
        { ...base, choices: [{ index: 0, delta: { role: "assistant", content }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
        { ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 } },
      ];
      const text = events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join("") + "data: [DONE]\n\n";
      return new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } });
    };
    const prompt = await db.prompt.create({ data: { workspaceId, name: "capital-live" } });
    const version = (number: number, model: string) => ({
      promptId: prompt.id,
      number,
      messages: [{ role: "user", content: "Capital of {{country}} as JSON" }],
      examples: [],
      counterexamples: [],
      params: {},
      model,
      connectionId,
    });
    const stable = await db.promptVersion.create({ data: version(1, "fake-stable") });
    const candidate = await db.promptVersion.create({ data: version(2, "fake-candidate") });
    await db.promptLabel.create({ data: { promptId: prompt.id, name: "production", versionId: stable.id } });
    const release = await db.release.create({
      data: {
        workspaceId,
        promptId: prompt.id,
        mode: "shadow",
        state: "running",
        salt: "0a0b0c0d",
        config: { sample: 100, scoring: { suiteId, assertions: [0, 1] } },
        startedAt: new Date(),
        arms: { create: [{ name: "stable", versionId: stable.id, position: 0 }, { name: "candidate", versionId: candidate.id, position: 1 }] },
      },
    });
    const key = createGatewayKey();
    await db.gatewayKey.create({ data: { workspaceId, name: "scoring", keyHash: key.keyHash, prefix: key.prefix } });
    const gateway = new Gateway({ db, databaseUrl: null, fetch: upstream });
    try {
      for (let index = 0; index < REQUESTS; index++) {
        const response = await gateway.handle(
          new Request("http://gateway.test/api/gateway/v1/chat/completions", {
            method: "POST",
            headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
            body: JSON.stringify({ model: "capital-live", metadata: { country: `Country ${index}` }, user: `user-${index}` }),
          }),
        );
        expect(response.status).toBe(200);
        // The answer is always stable's.
        expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
          passes("fake-stable", index) ? `{"capital": "Paris", "request": ${index}}` : `{"capital": "Rome", "request": ${index}}`,
        );
      }
      await gateway.flush();
    } finally {
      await gateway.close();
    }
    const calls = await db.call.findMany({ where: { releaseId: release.id }, select: { shadow: true, passed: true, evaluation: true } });
    expect(calls).toHaveLength(2 * REQUESTS);
    expect(calls.filter((call) => call.shadow && call.passed).length).toBe(14);
    expect(calls.filter((call) => !call.shadow && call.passed).length).toBe(12);
    expect(calls.every((call) => (call.evaluation as { results: unknown[] }).results.length === 2)).toBe(true);

    const link = await materializeShadowComparison(workspaceId, userId, release.id);
    expect(link.pairs).toBe(REQUESTS);
    const comparison = await getComparison(workspaceId, { variants: link.variantIds }, { resamples: 500 });
    expect(comparison.pairs[0]?.passCounts).toEqual({ bothPass: 8, onlyA: 4, onlyB: 6, bothFail: 2 });
    expect(comparison.stats.map((stats) => stats.passRate?.passed)).toEqual([12, 14]);
  });
});
