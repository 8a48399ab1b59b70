import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { FakeOpenAI } from "../support/fake-openai-server.ts";
import { rejection } from "../support/app-error.ts";

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const { AppError } = await import("../../lib/errors.ts");
const service = await import("../../lib/compare/service.ts");
const votes = await import("../../lib/compare/votes.ts");
const outputs = await import("../../lib/compare/outputs.ts");
const { runJudge } = await import("../../lib/compare/judge.ts");
const { startFakeOpenAI } = await import("../support/fake-openai-server.ts");

let workspaceId: string;
let otherWorkspaceId: string;
let userId: string;
let otherUserId: string;
let suiteId: string;
let caseIds: string[] = [];
let variantA: string;
let variantB: string;
let variantC: string;
let crossVariant: string;
let foreignVariant: string;
let fake: FakeOpenAI;
let connectionId: string;

const CASES = 40;

/** A passes cases 0–27, B passes 0–23 and 28–35: both 24, only A 4, only B 8, both fail 4. */
const passesA = (index: number) => index < 28;
const passesB = (index: number) => index < 24 || (index >= 28 && index < 36);

async function seedRun(name: string, suite: string, labels: string[]) {
  const run = await db.run.create({ data: { workspaceId, suiteId: suite, name, status: "completed", config: {}, totalCells: labels.length * CASES } });
  const variants = [];
  for (const [position, label] of labels.entries()) {
    variants.push(
      await db.variant.create({
        data: {
          runId: run.id,
          position,
          label,
          model: "fake-echo",
          params: {},
          prompt: { messages: [{ role: "user", content: "{{ text }}" }], examples: [{ variables: { text: "x" }, output: "y" }], counterexamples: [], exampleMode: "chat" },
        },
      }),
    );
  }
  return { run, variants };
}

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  userId = `user-${suffix}`;
  otherUserId = `user2-${suffix}`;
  await db.user.createMany({
    data: [
      { id: userId, name: "Ada", email: `ada-${suffix}@example.com` },
      { id: otherUserId, name: "Grace", email: `grace-${suffix}@example.com` },
    ],
  });
  workspaceId = (await db.workspace.create({ data: { name: "Compare", slug: `compare-${suffix}` } })).id;
  otherWorkspaceId = (await db.workspace.create({ data: { name: "Other", slug: `other-${suffix}` } })).id;
  suiteId = (await db.suite.create({ data: { workspaceId, name: "Reviews" } })).id;
  await db.case.createMany({
    data: Array.from({ length: CASES }, (_, index) => ({
      suiteId,
      position: index,
      key: `review-${index}`,
      variables: { text: `Review number ${index}` },
      expected: index % 2 === 0 ? "positive" : "negative",
      tags: index % 2 === 0 ? ["positive"] : ["negative"],
    })),
  });
  caseIds = (await db.case.findMany({ where: { suiteId }, orderBy: { position: "asc" }, select: { id: true } })).map((row) => row.id);

  const { run, variants } = await seedRun("Main run", suiteId, ["v1 zero-shot", "v2 few-shot", "v3 long"]);
  [variantA, variantB, variantC] = variants.map((variant) => variant.id) as [string, string, string];
  await db.result.createMany({
    data: caseIds.flatMap((caseId, index) => [
      { runId: run.id, variantId: variantA, caseId, output: `plain answer ${index}`, pass: passesA(index), score: passesA(index) ? 1 : 0, latencyMs: 800 + index, ttftMs: 200 + index, inputTokens: 40, outputTokens: 10, cost: 0.0002 },
      { runId: run.id, variantId: variantB, caseId, output: `good answer ${index}`, pass: passesB(index), score: passesB(index) ? 1 : 0, latencyMs: 600 + index, ttftMs: 150 + index, inputTokens: 90, outputTokens: 12, cost: 0.0004, cached: index < 5 },
      { runId: run.id, variantId: variantC, caseId, output: index === 3 ? null : `long answer ${index}`, pass: index % 3 !== 0, score: 0.5, latencyMs: 900 + index, ttftMs: 250, inputTokens: 40, outputTokens: 50, cost: 0.0003, error: index === 3 ? { kind: "timeout", message: "timed out after 60 s" } : undefined },
    ]),
  });

  // A second run on a copy of the suite: cases match by key.
  const copyId = (await db.suite.create({ data: { workspaceId, name: "Reviews copy" } })).id;
  await db.case.createMany({ data: Array.from({ length: CASES }, (_, index) => ({ suiteId: copyId, position: index, key: `review-${index}`, variables: { text: `Review number ${index}` }, tags: [] })) });
  const copyCases = await db.case.findMany({ where: { suiteId: copyId }, orderBy: { position: "asc" } });
  const cross = await seedRun("Later run", copyId, ["v4"]);
  crossVariant = cross.variants[0]?.id as string;
  await db.result.createMany({
    data: copyCases.slice(0, 30).map((item, index) => ({ runId: cross.run.id, variantId: crossVariant, caseId: item.id, output: `later ${index}`, pass: true, score: 1, latencyMs: 500 })),
  });

  const foreignSuite = await db.suite.create({ data: { workspaceId: otherWorkspaceId, name: "Theirs" } });
  const foreignRun = await db.run.create({ data: { workspaceId: otherWorkspaceId, suiteId: foreignSuite.id, config: {} } });
  foreignVariant = (await db.variant.create({ data: { runId: foreignRun.id, position: 0, label: "x", model: "m", params: {}, prompt: {} } })).id;

  fake = await startFakeOpenAI();
  connectionId = (await db.connection.create({ data: { workspaceId, name: "Judge server", baseUrl: fake.url } })).id;
});

afterAll(async () => {
  await fake?.close();
  await db.workspace.deleteMany({ where: { id: { in: [workspaceId, otherWorkspaceId] } } });
  await db.user.deleteMany({ where: { id: { in: [userId, otherUserId] } } });
  await db.$disconnect();
});


describe("getComparison", () => {
  it("compares two variants of one run on paired cases, from the stored results", async () => {
    const comparison = await service.getComparison(workspaceId, { variants: `${variantA},${variantB}` }, { resamples: 2000 });
    expect(comparison.variants.map((variant) => [variant.letter, variant.label, variant.examples])).toEqual([
      ["A", "v1 zero-shot", 1],
      ["B", "v2 few-shot", 1],
    ]);
    expect(comparison.analysedCases).toBe(CASES);
    const pair = comparison.pairs[0];
    expect(pair?.passCounts).toEqual({ bothPass: 24, onlyA: 4, onlyB: 8, bothFail: 4 });
    const passRate = pair?.metrics.find((metric) => metric.metric === "passRate");
    // Exact McNemar on 4 vs 8 discordant cases: 2 · Σ_{k≤4} C(12, k) / 2¹² = 2 · 794 / 4096 (R: binom.test(4, 12)$p.value).
    expect(passRate?.pValue).toBeCloseTo(0.3876953125, 14);
    expect(passRate?.verdict).toMatch(/^No detectable difference in pass rate \(\+10\.0 points/);
    // Five of B's answers were cached: latency leaves them out, the note says so.
    expect(comparison.stats[1]?.latency.calls).toBe(35);
    expect(comparison.notes.join(" ")).toContain("5 cached answers are left out");
    expect(pair?.metrics.find((metric) => metric.metric === "latency")?.verdict).toMatch(/^B is faster/);
    expect(comparison.cases.keys.slice(0, 2)).toEqual(["review-0", "review-1"]);
    expect(comparison.cases.inputs[0]).toBe("text: Review number 0");
    // Outputs of the first rows come with the comparison; the rest are fetched as the list scrolls.
    expect(comparison.firstOutputs[variantB]?.["review-0"]).toEqual({ text: "good answer 0", length: 13 });
    expect(Object.keys(comparison.firstOutputs[variantA] ?? {})).toHaveLength(40);
    expect(comparison.cases.tagNames.sort()).toEqual(["negative", "positive"]);
    expect(comparison.final).toBe(true);
  });

  it("returns the stored comparison until a result is added, then recomputes", async () => {
    const first = await service.getComparison(workspaceId, { variants: [variantA, variantC] }, { resamples: 500 });
    const again = await service.getComparison(workspaceId, { variants: [variantA, variantC] }, { resamples: 500 });
    expect(again).toBe(first);
    expect(first.stats[1]?.errors).toBe(1);
    const extra = await db.case.create({ data: { suiteId, position: 99, key: "late-case", variables: { text: "late" }, tags: [] } });
    const runId = (await db.variant.findUniqueOrThrow({ where: { id: variantA } })).runId;
    await db.result.createMany({
      data: [
        { runId, variantId: variantA, caseId: extra.id, output: "a", pass: true, latencyMs: 700 },
        { runId, variantId: variantC, caseId: extra.id, output: "c", pass: true, latencyMs: 700 },
      ],
    });
    const updated = await service.getComparison(workspaceId, { variants: [variantA, variantC] }, { resamples: 500 });
    expect(updated).not.toBe(first);
    expect(updated.analysedCases).toBe(CASES + 1);
    await db.case.delete({ where: { id: extra.id } });
  });

  it("compares variants of two runs by case key and Holm-corrects with more than two variants", async () => {
    const comparison = await service.getComparison(workspaceId, { variants: [variantA, variantB, crossVariant] }, { resamples: 500 });
    expect(comparison.holmCorrected).toBe(true);
    expect(comparison.analysedCases).toBe(30);
    expect(comparison.incompleteCases).toBe(10);
    expect(comparison.notes.join(" ")).toMatch(/different suites \(Reviews, Reviews copy\): cases are matched by their key/);
    expect(comparison.pairs).toHaveLength(2);
    for (const pair of comparison.pairs) {
      for (const metric of pair.metrics) expect(metric.adjustedP).toBeGreaterThanOrEqual(metric.pValue);
    }
  });

  it("refuses unknown variants, other workspaces' variants and a single variant, naming the problem", async () => {
    expect((await rejection(service.getComparison(workspaceId, { variants: [variantA, "nope"] }))).message).toContain('"nope"');
    expect((await rejection(service.getComparison(workspaceId, { variants: [variantA, foreignVariant] }))).code).toBe("not_found");
    await expect(service.getComparison(workspaceId, { variants: variantA })).rejects.toThrow(/at least two variants/);
    await expect(service.getComparison(workspaceId, { variants: [variantA, variantA] })).rejects.toThrow(/appears twice/);
  });

  it("serves output previews for the rows on screen and searches outputs", async () => {
    const previews = await outputs.loadOutputs(workspaceId, [variantA, variantC], ["review-3", "review-39", "missing"]);
    expect(previews[variantA]?.["review-39"]).toEqual({ text: "plain answer 39", length: 15 });
    expect(previews[variantC]?.["review-3"]).toEqual({ text: null, length: 0 });
    expect(previews[variantA]?.missing).toBeUndefined();
    expect((await outputs.searchCases(workspaceId, [variantA, variantB], "good answer 1")).sort()).toEqual(["review-1", ...Array.from({ length: 10 }, (_, index) => `review-1${index}`)].sort());
    expect(await outputs.searchCases(workspaceId, [variantA, variantB], "Review number 7")).toEqual(["review-7"]);
    expect(await outputs.searchCases(workspaceId, [variantA, variantB], "100%_")).toEqual([]);
    await expect(outputs.loadOutputs(workspaceId, [foreignVariant], ["review-1"])).rejects.toThrow(/No variant/);
  });

  it("gives one case in full for every variant", async () => {
    const detail = await service.getCaseDetail(workspaceId, [variantA, variantC], "review-3");
    expect(detail).toMatchObject({ key: "review-3", expected: "negative", variables: { text: "Review number 3" }, tags: ["negative"] });
    expect(detail.results[0]?.results[0]?.output).toBe("plain answer 3");
    expect(detail.results[1]?.results[0]?.error).toEqual({ kind: "timeout", message: "timed out after 60 s" });
  });
});

describe("blind pairwise votes", () => {
  it("serves unvoted cases in random side order and stores who voted and which variant was on the left", async () => {
    const seenLeft = new Set<string>();
    let item = await votes.nextReviewItem(workspaceId, userId, variantA, variantB);
    expect(item?.progress).toEqual({ voted: 0, total: CASES });
    let count = 0;
    while (item) {
      seenLeft.add(item.leftVariantId);
      const bOnLeft = item.leftVariantId === variantB;
      expect(item.left).toBe(bOnLeft ? `good answer ${item.key.split("-")[1]}` : `plain answer ${item.key.split("-")[1]}`);
      // This reviewer prefers B's answer on 30 cases, A's on 6 and calls 4 a tie.
      const index = Number(item.key.split("-")[1]);
      const prefer = index < 30 ? "B" : index < 36 ? "A" : "tie";
      const choice = prefer === "tie" ? "tie" : (prefer === "B") === bOnLeft ? "left" : "right";
      await votes.recordVote(workspaceId, userId, { variantAId: variantA, variantBId: variantB, caseId: item.caseId, leftVariantId: item.leftVariantId, choice });
      count++;
      item = await votes.nextReviewItem(workspaceId, userId, variantA, variantB);
    }
    expect(count).toBe(CASES);
    expect(seenLeft).toEqual(new Set([variantA, variantB]));
    const stored = await db.vote.findMany({ where: { workspaceId, voterId: userId } });
    expect(stored).toHaveLength(CASES);
    expect(new Set(stored.map((vote) => vote.leftVariantId))).toEqual(new Set([variantA, variantB]));

    const summary = await votes.preferenceSummary(workspaceId, variantA, variantB);
    expect(summary.people).toMatchObject({ wins: 30, losses: 6, ties: 4, votes: CASES, voters: 1, cases: CASES });
    expect(summary.people.rate?.estimate).toBeCloseTo(30 / 36, 12);
    expect(summary.people.pValue).toBeLessThan(0.001);
  });

  it("replaces a reviewer's earlier vote on the same case, combines reviewers per case, and lets them withdraw", async () => {
    const caseId = caseIds[0] as string;
    const first = await votes.recordVote(workspaceId, otherUserId, { variantAId: variantA, variantBId: variantB, caseId, leftVariantId: variantA, choice: "left" });
    const second = await votes.recordVote(workspaceId, otherUserId, { variantAId: variantB, variantBId: variantA, caseId, leftVariantId: variantA, choice: "left" });
    expect(await db.vote.count({ where: { voterId: otherUserId } })).toBe(1);
    // Ada preferred B on case 0, Grace preferred A: the case nets to a tie.
    const summary = await votes.preferenceSummary(workspaceId, variantA, variantB);
    expect(summary.people).toMatchObject({ wins: 29, losses: 6, ties: 5, voters: 2, votes: CASES + 1 });
    await expect(votes.deleteVote(workspaceId, otherUserId, first.id)).rejects.toThrow(/No such vote/);
    await votes.deleteVote(workspaceId, otherUserId, second.id);
    expect(await db.vote.count({ where: { voterId: otherUserId } })).toBe(0);
  });

  it("refuses a vote whose left side is not one of the pair, and a case from another workspace", async () => {
    const error = await rejection(votes.recordVote(workspaceId, userId, { variantAId: variantA, variantBId: variantB, caseId: caseIds[1] as string, leftVariantId: variantC, choice: "left" }));
    expect(error.details[0]?.path).toBe("leftVariantId");
    expect((await rejection(votes.recordVote(workspaceId, userId, { variantAId: variantA, variantBId: variantB, caseId: "missing", leftVariantId: variantA, choice: "tie" }))).code).toBe("not_found");
  });
});

describe("LLM judge", () => {
  it("judges both orders, counts agreeing cases and stores each verdict with the judge's reasoning", async () => {
    // A fair judge: prefers the response that says "good", wherever it is shown.
    fake.setBehavior({
      reply: (request) => {
        const text = request.lastUserMessage;
        const first = text.slice(text.indexOf("## Response 1"), text.indexOf("## Response 2"));
        const winner = first.includes("good") ? "1" : "2";
        return JSON.stringify({ reasoning: `Response ${winner} is the good one.`, winner });
      },
    });
    const progress: number[] = [];
    const result = await runJudge(workspaceId, userId, { variantAId: variantA, variantBId: variantB, connectionId, model: "fake-echo", rubric: "Prefer the answer that is good.", limit: 10 }, { onProgress: (update) => progress.push(update.done) });
    expect(result).toMatchObject({ total: 10, done: 10, agreed: 10, disagreed: 0, failed: 0 });
    expect(progress.at(-1)).toBe(10);
    const stored = await db.vote.findMany({ where: { workspaceId, judge: result.judge } });
    expect(stored).toHaveLength(20);
    expect(stored[0]?.reasoning).toMatch(/is the good one/);
    expect(result.judge).toMatch(/^Judge server \/ fake-echo · rubric [0-9a-f]{8}$/);

    // A second pass continues with the cases not judged yet.
    const next = await runJudge(workspaceId, userId, { variantAId: variantA, variantBId: variantB, connectionId, model: "fake-echo", rubric: "Prefer the answer that is good.", limit: 100 });
    expect(next.total).toBe(CASES - 10);
    const summary = await votes.preferenceSummary(workspaceId, variantA, variantB);
    const judge = summary.judges.find((item) => item.judge === result.judge);
    expect(judge).toMatchObject({ cases: CASES, agreed: CASES, winRate: { wins: CASES, losses: 0 } });
    expect(judge?.positionBias?.estimate).toBe(0);
  });

  it("reports position bias when the verdict follows the order, and counts unreadable replies as failed", async () => {
    fake.setBehavior({ reply: () => '{"reasoning": "The first one reads better.", "winner": "1"}' });
    const biased = await runJudge(workspaceId, userId, { variantAId: variantA, variantBId: variantB, connectionId, model: "fake-echo", rubric: "Prefer the clearer answer, please.", limit: 8 });
    expect(biased).toMatchObject({ done: 8, agreed: 0, disagreed: 8 });
    const summary = await votes.preferenceSummary(workspaceId, variantA, variantB);
    const judge = summary.judges.find((item) => item.judge === biased.judge);
    expect(judge?.positionBias?.estimate).toBe(1);
    expect(judge?.winRate).toMatchObject({ wins: 0, losses: 0, ties: 0, rate: null });

    fake.setBehavior({ reply: () => "I cannot decide." });
    const unreadable = await runJudge(workspaceId, userId, { variantAId: variantA, variantBId: variantB, connectionId, model: "fake-echo", rubric: "Another rubric for the judge.", limit: 3 });
    expect(unreadable).toMatchObject({ done: 3, failed: 3, agreed: 0 });
    expect(unreadable.lastError).toMatch(/could not read the judge's answer/);
    expect(await db.vote.count({ where: { judge: unreadable.judge } })).toBe(0);
  });

  const fairJudge = (request: { lastUserMessage: string }) => {
    const text = request.lastUserMessage;
    const first = text.slice(text.indexOf("## Response 1"), text.indexOf("## Response 2"));
    const winner = first.includes("good") ? "1" : "2";
    return JSON.stringify({ reasoning: `Response ${winner} is the good one.`, winner });
  };
  const chatRequests = (server: FakeOpenAI) => server.requests.filter((request) => request.path === "/v1/chat/completions");

  it("retries a 429 with Retry-After instead of counting the case as a failed judgement", async () => {
    const server = await startFakeOpenAI({ reply: fairJudge, retryAfter: "1", faults: { first429: 3 } });
    try {
      const retried = (await db.connection.create({ data: { workspaceId, name: "Busy judge", baseUrl: server.url } })).id;
      const result = await runJudge(workspaceId, userId, { variantAId: variantA, variantBId: variantB, connectionId: retried, model: "fake-echo", rubric: "Prefer the answer that is good.", limit: 4 });
      // 4 cases × 2 orders = 8 judgements, every one made: the three 429s were waited out and sent again.
      expect(result).toMatchObject({ total: 4, done: 4, agreed: 4, disagreed: 0, failed: 0, lastError: null });
      expect(await db.vote.count({ where: { judge: result.judge } })).toBe(8);
      const outcomes = chatRequests(server).map((request) => request.outcome);
      expect(outcomes.filter((outcome) => outcome === "rate_limit")).toHaveLength(3);
      expect(outcomes.filter((outcome) => outcome === "ok")).toHaveLength(8);
    } finally {
      await server.close();
    }
  });

  it("keeps to the connection's requests-per-minute limit", async () => {
    const server = await startFakeOpenAI({ reply: fairJudge });
    try {
      const limited = (await db.connection.create({ data: { workspaceId, name: "Two a minute", baseUrl: server.url, rpm: 2 } })).id;
      const controller = new AbortController();
      // 3 cases need 6 calls; at 2 a minute the third call waits for the window, where the abort finds it.
      const judged = runJudge(workspaceId, userId, { variantAId: variantA, variantBId: variantB, connectionId: limited, model: "fake-echo", rubric: "Prefer the good answer, two a minute.", limit: 3, concurrency: 4 }, { signal: controller.signal });
      await vi.waitFor(() => expect(chatRequests(server)).toHaveLength(2), { timeout: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      controller.abort();
      const result = await judged;
      expect(chatRequests(server)).toHaveLength(2);
      expect(result.failed).toBe(0);
    } finally {
      await server.close();
    }
  });
});
