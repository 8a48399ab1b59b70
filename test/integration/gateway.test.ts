import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// The gateway in-process (lib/gateway/gateway.ts handle()), against a real PostgreSQL and a fake upstream: sticky
// canary shares over 10,000 users, shadow and interleaved releases, upstream failures, the NOTIFY path and the
// write-behind log.

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";

const { db } = await import("../../lib/db.ts");
const connections = await import("../../lib/connections/service.ts");
const prompts = await import("../../lib/prompts/service.ts");
const { Gateway } = await import("../../lib/gateway/gateway.ts");
const { createGatewayKey } = await import("../../lib/gateway/keys.ts");
const { notifyGatewayChange } = await import("../../lib/gateway/notify.ts");

const STABLE_LIST = "1. apple\n2. banana\n3. cherry";
const CANDIDATE_LIST = "1. cherry\n2. date\n3. apple";

let fake: FakeOpenAI;
let gateway: InstanceType<typeof Gateway>;
let workspaceId: string;
let userId: string;
let connectionId: string;
let key: string;
let keyId: string;
/** read queries made by the gateway's own client (the plan cache, key lookups, feedback lookups) */
let reads = 0;

const versionOf = (model: string, template = "Hello {{ name }}") => ({
  messages: [
    { role: "system" as const, content: "Be brief." },
    { role: "user" as const, content: template },
  ],
  examples: [],
  counterexamples: [],
  exampleMode: "chat" as const,
  connectionId,
  model,
  params: { temperature: 0.2 },
  commitMessage: model,
});

/** A prompt with one version per model (numbered in order) and `production` on the first. */
async function promptWith(name: string, models: string[], template?: string): Promise<{ id: string; versions: string[] }> {
  const [first, ...rest] = models;
  const created = await prompts.createPrompt(workspaceId, userId, { name, version: versionOf(first!, template) });
  const versions = [created.latest.id];
  for (const model of rest) versions.push((await prompts.createVersion(workspaceId, created.id, userId, versionOf(model, template))).id);
  await db.promptLabel.create({ data: { promptId: created.id, name: "production", versionId: versions[0]! } });
  return { id: created.id, versions };
}

async function releaseFor(
  promptId: string,
  mode: "canary" | "shadow" | "interleaved",
  versions: string[],
  config: Record<string, unknown>,
  stage = 0,
): Promise<string> {
  const release = await db.release.create({
    data: {
      workspaceId,
      promptId,
      mode,
      state: "running",
      salt: randomBytes(8).toString("hex"),
      config: config as object,
      stage,
      startedAt: new Date(),
      arms: {
        create: versions.map((versionId, position) => ({ name: position === 0 ? "stable" : position === 1 ? "candidate" : `candidate-${position}`, versionId, position })),
      },
    },
  });
  return release.id;
}

function chat(body: Record<string, unknown>, headers: Record<string, string> = {}, bearer = key): Request {
  return new Request("http://gateway.test/api/gateway/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * A zero-latency OpenAI-compatible upstream inside the process, for the 10,000-user simulation: the same SSE wire
 * format as the fake server without an HTTP round trip per request, so the test measures assignment, not sockets.
 */
const inProcessUpstream: typeof fetch = async (_input, init) => {
  const body = JSON.parse(String(init?.body)) as { model: string };
  const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1, model: body.model };
  const events = [
    { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
    { ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
  ];
  const text = events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join("") + "data: [DONE]\n\n";
  return new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } });
};

async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  fake = await startFakeOpenAI({
    record: false,
    modelBehaviors: {
      "stable-list": { reply: STABLE_LIST },
      "candidate-list": { reply: CANDIDATE_LIST },
      "stable-fast": { reply: "stable answer" },
      "candidate-slow": { reply: "candidate answer", latencyMs: 500 },
    },
  });
  const workspace = await db.workspace.create({ data: { name: "Gateway", slug: `gateway-${suffix}` } });
  workspaceId = workspace.id;
  const user = await db.user.create({ data: { id: randomUUID(), name: "Gia", email: `gia-${suffix}@example.com`, emailVerified: true } });
  userId = user.id;
  connectionId = (
    await connections.createConnection(workspaceId, {
      name: "Fake",
      baseUrl: fake.url,
      concurrency: 1000,
      models: ["fake-echo", "stable-list", "candidate-list", "stable-fast", "candidate-slow", "fake-server-error"].map((name) => ({
        name,
        contextWindow: 8000,
        inputPricePerM: 1,
        outputPricePerM: 2,
      })),
    })
  ).id;
  const made = createGatewayKey();
  key = made.key;
  keyId = (await db.gatewayKey.create({ data: { workspaceId, name: "test", keyHash: made.keyHash, prefix: made.prefix } })).id;
  const counted = db.$extends({
    query: {
      $allOperations({ operation, args, query }) {
        if (/^(find|count|aggregate|groupBy|\$queryRaw)/.test(operation)) reads += 1;
        return query(args);
      },
    },
  }) as unknown as typeof db;
  gateway = new Gateway({ db: counted, log: () => undefined });
  await gateway.plans.ready();
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

describe("sticky canary", () => {
  it("sends 10 % of 10,000 users to the candidate, the same arm on every request, and raising to 25 % keeps them there", async () => {
    // 10,000 users once, 1,000 of them again, then at 25 % the earlier candidates and 2,000 users for the new share.
    const prompt = await promptWith("canary", ["fake-echo", "fake-echo"]);
    const releaseId = await releaseFor(prompt.id, "canary", prompt.versions, { steps: [10, 25, 100] });
    const simulated = new Gateway({ databaseUrl: null, fetch: inProcessUpstream, log: () => undefined });
    const USERS = 10_000;
    const armOf = async (index: number) => {
      const response = await simulated.handle(chat({ model: "canary", user: `user-${index}`, metadata: { name: "x" } }));
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      expect(response.headers.get("x-assay-release")).toBe(releaseId);
      return response.headers.get("x-assay-arm");
    };
    const first = await pool(USERS, 50, armOf);
    const candidates = first.flatMap((arm, index) => (arm === "candidate" ? [index] : []));
    expect(candidates.length).toBeGreaterThanOrEqual(900);
    expect(candidates.length).toBeLessThanOrEqual(1100);
    // Asked again: every user the same arm.
    const again = await pool(1_000, 50, (index) => armOf(index));
    expect(again).toEqual(first.slice(0, 1_000));

    await db.release.update({ where: { id: releaseId }, data: { stage: 1 } });
    await simulated.plans.reload(workspaceId);
    const earlier = await pool(candidates.length, 50, (index) => armOf(candidates[index]!));
    expect(earlier.filter((arm) => arm !== "candidate")).toEqual([]);
    // 25 % of 2,000 users is 500 ± 19 (one standard deviation): within ± 3 of them.
    const raised = await pool(2_000, 50, armOf);
    const raisedCount = raised.filter((arm) => arm === "candidate").length;
    expect(raisedCount).toBeGreaterThanOrEqual(443);
    expect(raisedCount).toBeLessThanOrEqual(557);
    await simulated.close();
    await db.release.update({ where: { id: releaseId }, data: { state: "stopped" } });
  }, 120_000);
});

describe("shadow", () => {
  it("answers with stable, stores the candidate's output as a shadow call, and adds no latency when the candidate is 500 ms slower", async () => {
    const prompt = await promptWith("shadowed", ["stable-fast", "candidate-slow"]);
    const releaseId = await releaseFor(prompt.id, "shadow", prompt.versions, { sample: 100 });
    await gateway.plans.reload(workspaceId);
    const timed = async (model: string) => {
      const started = performance.now();
      const response = await gateway.handle(chat({ model, user: "u", metadata: { name: "Ada" } }));
      const body = (await response.json()) as { choices: { message: { content: string } }[] };
      return { ms: performance.now() - started, response, content: body.choices[0]!.message.content };
    };
    // Baseline: the same stable version pinned (no release, no shadow), measured the same way.
    const baseline: number[] = [];
    for (let index = 0; index < 10; index++) baseline.push((await timed("shadowed@production")).ms);
    const shadowed: number[] = [];
    const callIds: string[] = [];
    for (let index = 0; index < 10; index++) {
      const answer = await timed("shadowed");
      expect(answer.content).toBe("stable answer");
      expect(answer.response.headers.get("x-assay-arm")).toBe("stable");
      callIds.push(answer.response.headers.get("x-assay-call-id")!);
      shadowed.push(answer.ms);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    expect(median(shadowed)).toBeLessThan(median(baseline) + 100);

    await gateway.flush();
    const answers = await db.call.findMany({ where: { id: { in: callIds } } });
    expect(answers).toHaveLength(10);
    const shadows = await db.call.findMany({ where: { releaseId, shadow: true } });
    expect(shadows).toHaveLength(10);
    for (const shadow of shadows) {
      expect(shadow.output).toBe("candidate answer");
      expect(shadow.arm).toBe("candidate");
      expect(shadow.latencyMs).toBeGreaterThanOrEqual(500);
    }
    expect(new Set(shadows.map((shadow) => shadow.groupId))).toEqual(new Set(answers.map((answer) => answer.groupId)));
    expect(answers.every((answer) => answer.shadow === false && answer.arm === "stable" && answer.output === "stable answer")).toBe(true);
    await db.release.update({ where: { id: releaseId }, data: { state: "stopped" } });
  });
});

describe("online scoring", () => {
  it("stores the evaluation of the answer and of the shadow call, and a failing judge leaves the call unscored", async () => {
    const prompt = await promptWith("scored", ["stable-fast", "fake-echo"]);
    const releaseId = await releaseFor(prompt.id, "shadow", prompt.versions, { sample: 100, scoring: { suiteId: "suite-x" } });
    const seen: unknown[] = [];
    const scoring = new Gateway({
      databaseUrl: null,
      log: () => undefined,
      scorer: async (_workspaceId, id, config) => {
        seen.push([id, config]);
        return {
          score: async (output) => {
            if (output.includes("fail the judge")) throw new Error("judge unavailable");
            return { pass: output === "stable answer", score: output === "stable answer" ? 1 : 0, results: [] };
          },
        };
      },
    });
    const response = await scoring.handle(chat({ model: "scored", user: "s1", metadata: { name: "x" } }));
    const callId = response.headers.get("x-assay-call-id")!;
    const judged = await scoring.handle(chat({ model: "scored", user: "s2", metadata: { name: "fail the judge" } }));
    await scoring.flush();
    await scoring.close();
    expect(seen[0]).toEqual([releaseId, { suiteId: "suite-x" }]);
    const answer = await db.call.findUniqueOrThrow({ where: { id: callId } });
    expect([answer.passed, (answer.evaluation as { score: number }).score]).toEqual([true, 1]);
    const shadow = await db.call.findFirstOrThrow({ where: { groupId: answer.groupId, shadow: true } });
    expect([shadow.output, shadow.passed]).toEqual(["Echo: Hello x", false]);
    // The echo of "fail the judge" made the judge throw on the shadow call: stored, without an evaluation.
    const failed = await db.call.findFirstOrThrow({ where: { groupId: (await db.call.findUniqueOrThrow({ where: { id: judged.headers.get("x-assay-call-id")! } })).groupId, shadow: true } });
    expect([failed.output, failed.passed, failed.evaluation]).toEqual(["Echo: Hello fail the judge", null, null]);
    await db.release.update({ where: { id: releaseId }, data: { state: "stopped" } });
  });
});

describe("interleaved", () => {
  it("returns stable's and the candidate's lists merged by team draft, with the attribution stored and interactions accepted", async () => {
    const prompt = await promptWith("ranked", ["stable-list", "candidate-list"]);
    const releaseId = await releaseFor(prompt.id, "interleaved", prompt.versions, {});
    await gateway.plans.reload(workspaceId);
    const response = await gateway.handle(chat({ model: "ranked", user: "u1", metadata: { name: "fruit" } }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    const lines = body.choices[0]!.message.content.split("\n");
    // Numbered like stable's list; every distinct item of both lists once.
    expect(lines.map((line) => line.replace(/^\d+\. /, "")).sort()).toEqual(["apple", "banana", "cherry", "date"]);
    expect(lines.map((line) => line.slice(0, 3))).toEqual(["1. ", "2. ", "3. ", "4. "]);
    const callId = response.headers.get("x-assay-call-id")!;

    const interaction = await gateway.handle(
      new Request("http://gateway.test/api/gateway/v1/interactions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ call_id: callId, item: 1 }),
      }),
    );
    expect(interaction.status).toBe(200);
    const outOfRange = await gateway.handle(
      new Request("http://gateway.test/api/gateway/v1/interactions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ call_id: callId, item: 4 }),
      }),
    );
    expect(outOfRange.status).toBe(400);
    expect(((await outOfRange.json()) as { error: { param: string } }).error.param).toBe("item");

    await gateway.flush();
    const stable = await db.call.findUniqueOrThrow({ where: { id: callId } });
    const attribution = stable.attribution as string[];
    expect(attribution).toHaveLength(4);
    // Each item's arm is one whose list has it: banana only stable's, date only the candidate's.
    const bananaAt = lines.findIndex((line) => line.endsWith("banana"));
    const dateAt = lines.findIndex((line) => line.endsWith("date"));
    expect(attribution[bananaAt]).toBe("stable");
    expect(attribution[dateAt]).toBe("candidate");
    const both = await db.call.findMany({ where: { groupId: stable.groupId }, orderBy: { arm: "asc" } });
    expect(both.map((call) => [call.arm, call.output])).toEqual([
      ["candidate", CANDIDATE_LIST],
      ["stable", STABLE_LIST],
    ]);
    expect(await db.gatewayInteraction.findMany({ where: { callId }, select: { item: true } })).toEqual([{ item: 1 }]);
    await db.release.update({ where: { id: releaseId }, data: { state: "stopped" } });
  });
});

describe("errors", () => {
  it("passes an upstream 500 through with its status and the provider's message", async () => {
    await promptWith("broken", ["fake-server-error"]);
    await gateway.plans.reload(workspaceId);
    const response = await gateway.handle(chat({ model: "broken", metadata: { name: "x" } }));
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toBe("The server had an error while processing your request. Sorry about that!");
    const streamed = await gateway.handle(chat({ model: "broken", metadata: { name: "x" }, stream: true }));
    expect(streamed.status).toBe(500);
  });

  it("names the missing and the unknown variable, and the bad field", async () => {
    await promptWith("named", ["fake-echo"]);
    await gateway.plans.reload(workspaceId);
    const missing = await gateway.handle(chat({ model: "named", metadata: {} }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe("metadata.name");
    const unknown = await gateway.handle(chat({ model: "named", metadata: { name: "x" }, variables: { nmae: "y" } }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { param: string; message: string } }).error).toMatchObject({ param: "variables.nmae" });
    const badField = await gateway.handle(chat({ model: "named", metadata: { name: "x" }, temperature: "hot" }));
    expect(badField.status).toBe(400);
    expect(((await badField.json()) as { error: { param: string } }).error.param).toBe("temperature");
    const notJson = await gateway.handle(
      new Request("http://gateway.test/api/gateway/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" }, body: "{}" }),
    );
    expect(notJson.status).toBe(415);
  });
});

describe("the plan follows the database", () => {
  it("sees a label moved with a notify within a second, and answers without a database query", async () => {
    const prompt = await promptWith("moving", ["fake-echo", "fake-echo"]);
    await gateway.plans.reload(workspaceId);
    const versionHeader = async () => {
      const response = await gateway.handle(chat({ model: "moving", metadata: { name: "x" } }));
      await response.arrayBuffer();
      return response.headers.get("x-assay-version");
    };
    expect(await versionHeader()).toBe("1");
    const before = reads;
    for (let index = 0; index < 20; index++) expect(await versionHeader()).toBe("1");
    expect(reads - before).toBe(0);

    await db.$transaction(async (transaction) => {
      await transaction.promptLabel.update({ where: { promptId_name: { promptId: prompt.id, name: "production" } }, data: { versionId: prompt.versions[1]! } });
      await notifyGatewayChange(workspaceId, "label", transaction);
    });
    const movedAt = performance.now();
    let seen = "1";
    while (seen !== "2" && performance.now() - movedAt < 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen = (await versionHeader())!;
    }
    expect(seen).toBe("2");
  });

  it("refuses a key revoked with a notify within a second", async () => {
    const made = createGatewayKey();
    const row = await db.gatewayKey.create({ data: { workspaceId, name: "short-lived", keyHash: made.keyHash, prefix: made.prefix } });
    const models = () => gateway.handle(new Request("http://gateway.test/api/gateway/v1/models", { headers: { authorization: `Bearer ${made.key}` } }));
    expect((await models()).status).toBe(200);
    await db.$transaction(async (transaction) => {
      await transaction.gatewayKey.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
      await notifyGatewayChange(workspaceId, "key", transaction);
    });
    const revokedAt = performance.now();
    let status = 200;
    while (status === 200 && performance.now() - revokedAt < 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await models()).status;
    }
    expect(status).toBe(401);
  });
});

describe("write-behind log", () => {
  it("stores every row on a clean flush, with the key's last use", async () => {
    await promptWith("logged", ["fake-echo"]);
    await gateway.plans.reload(workspaceId);
    await gateway.flush();
    const ids = await pool(300, 30, async (index) => {
      const response = await gateway.handle(chat({ model: "logged", user: `logged-${index}`, metadata: { name: `n${index}` } }));
      await response.arrayBuffer();
      return response.headers.get("x-assay-call-id")!;
    });
    await gateway.flush();
    expect(gateway.callLog.pending).toBe(0);
    const stored = await db.call.findMany({ where: { id: { in: ids } }, select: { id: true, source: true, gatewayKeyId: true, label: true, output: true, cost: true } });
    expect(stored).toHaveLength(300);
    expect(stored.every((call) => call.source === "gateway" && call.gatewayKeyId === keyId && call.label === "production")).toBe(true);
    expect(stored.find((call) => call.output === "Echo: Hello n7")).toBeDefined();
    expect((await db.gatewayKey.findUniqueOrThrow({ where: { id: keyId } })).lastUsedAt).not.toBeNull();
  });
});

describe("feedback", () => {
  const post = (target: InstanceType<typeof Gateway>, body: Record<string, unknown>) =>
    target.handle(
      new Request("http://gateway.test/api/gateway/v1/feedback", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );

  it("takes a score or thumbs for a call this workspace was answered, from memory or from the database", async () => {
    await promptWith("rated", ["fake-echo"]);
    await gateway.plans.reload(workspaceId);
    const answer = await gateway.handle(chat({ model: "rated", metadata: { name: "x" } }));
    const callId = answer.headers.get("x-assay-call-id")!;
    // Before the flush: the call is only in the in-memory index.
    expect((await post(gateway, { call_id: callId, thumbs: "up", comment: "spot on" })).status).toBe(200);
    await gateway.flush();
    // A process that never saw the call (another replica, a restart) finds it in the database.
    const other = new Gateway({ databaseUrl: null, log: () => undefined });
    expect((await post(other, { call_id: callId, score: 0.25 })).status).toBe(200);
    await other.close();
    const rows = await db.gatewayFeedback.findMany({ where: { callId }, orderBy: { score: "asc" }, select: { score: true, comment: true } });
    expect(rows).toEqual([
      { score: 0.25, comment: "" },
      { score: 1, comment: "spot on" },
    ]);

    const unknown = await post(gateway, { call_id: randomUUID(), thumbs: "down" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { param: string; code: string } }).error).toMatchObject({ param: "call_id", code: "call_not_found" });
    const both = await post(gateway, { call_id: callId, thumbs: "down", score: 0 });
    expect(both.status).toBe(400);
    expect(((await both.json()) as { error: { param: string } }).error.param).toBe("score");
    const outOfRange = await post(gateway, { call_id: callId, score: 2 });
    expect(((await outOfRange.json()) as { error: { param: string; message: string } }).error).toMatchObject({ param: "score", message: "score: at most 1" });
  });
});

describe("client disconnect", () => {
  it("aborts the upstream call when the client goes away mid-stream, and stores the call as cancelled", async () => {
    const slow = await startFakeOpenAI({ tokenDelayMs: 40, reply: "one two three four five six seven eight nine ten eleven twelve" });
    try {
      const connection = await connections.createConnection(workspaceId, {
        name: "Slow",
        baseUrl: slow.url,
        concurrency: 10,
        models: [{ name: "fake-echo", contextWindow: 8000, inputPricePerM: 1, outputPricePerM: 2 }],
      });
      const created = await prompts.createPrompt(workspaceId, userId, { name: "slow", version: { ...versionOf("fake-echo"), connectionId: connection.id } });
      await db.promptLabel.create({ data: { promptId: created.id, name: "production", versionId: created.latest.id } });
      await gateway.plans.reload(workspaceId);
      const response = await gateway.handle(chat({ model: "slow", metadata: { name: "x" }, stream: true }));
      expect(response.status).toBe(200);
      const callId = response.headers.get("x-assay-call-id")!;
      const reader = response.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      await reader.cancel();
      await expect.poll(() => slow.requests.find((request) => request.path.endsWith("/chat/completions"))?.closedEarly, { timeout: 2_000 }).toBe(true);
      await gateway.flush();
      const call = await db.call.findUniqueOrThrow({ where: { id: callId } });
      expect(call.finishReason).toBe("cancelled");
      expect(call.output.split(" ").length).toBeLessThan(12);
    } finally {
      await slow.close();
    }
  });
});

describe("clean stop", () => {
  it("waits for the answers and shadow calls in flight, logs every one of them, and refuses new requests meanwhile", async () => {
    const prompt = await promptWith("stopping", ["stable-fast", "candidate-slow"]);
    const releaseId = await releaseFor(prompt.id, "shadow", prompt.versions, { sample: 100 });
    const stopping = new Gateway({ databaseUrl: null, log: () => undefined });
    const streamed = await stopping.handle(chat({ model: "stopping", user: "a", metadata: { name: "x" }, stream: true }));
    const answered = stopping.handle(chat({ model: "stopping", user: "b", metadata: { name: "y" } }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = stopping.close();
    const refused = await stopping.handle(chat({ model: "stopping", user: "c", metadata: { name: "z" } }));
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([503, "shutting_down"]);
    await streamed.text();
    expect((await answered).status).toBe(200);
    await closed;
    // Two answers and their two shadow calls (500 ms slower than the answers), all written by the stop.
    const calls = await db.call.findMany({ where: { releaseId }, select: { shadow: true } });
    expect(calls.map((call) => call.shadow).sort()).toEqual([false, false, true, true]);
    await db.release.update({ where: { id: releaseId }, data: { state: "stopped" } });
  });
});

describe("write-behind log failures", () => {
  const row = (id: string, workspace: string) => ({
    id,
    workspaceId: workspace,
    groupId: id,
    source: "gateway" as const,
    model: "m",
    params: {},
    variables: {},
    messages: [],
  });

  it("keeps the rows when the database cannot be reached", async () => {
    const { CallLog } = await import("../../lib/gateway/call-log.ts");
    const { createDb } = await import("../../lib/db.ts");
    const unreachable = createDb("postgresql://nobody@127.0.0.1:1/none");
    const log = new CallLog({ db: unreachable, intervalMs: 60_000, log: () => undefined });
    log.pushCall(row(randomUUID(), workspaceId));
    log.pushCall(row(randomUUID(), workspaceId));
    await expect(log.flush()).rejects.toThrow();
    expect(log.pending).toBe(2);
    await unreachable.$disconnect();
  });

  it("bounds the buffer: past maxRows the oldest rows are dropped and counted", async () => {
    const { CallLog } = await import("../../lib/gateway/call-log.ts");
    const { createDb } = await import("../../lib/db.ts");
    const unreachable = createDb("postgresql://nobody@127.0.0.1:1/none");
    const log = new CallLog({ db: unreachable, intervalMs: 60_000, maxRows: 2, log: () => undefined });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) log.pushCall(row(id, workspaceId));
    expect(log.pending).toBe(2);
    expect(log.stats.dropped).toBe(1);
    await unreachable.$disconnect();
  });

  it("drops only the rows the database refuses, and writes the rest of their batch", async () => {
    const { CallLog } = await import("../../lib/gateway/call-log.ts");
    const lines: string[] = [];
    const log = new CallLog({ db, intervalMs: 60_000, log: (line) => lines.push(line) });
    const good = [randomUUID(), randomUUID()];
    log.pushCall(row(good[0]!, workspaceId));
    log.pushCall(row(randomUUID(), "no-such-workspace"));
    log.pushCall(row(good[1]!, workspaceId));
    await log.close();
    expect(await db.call.count({ where: { id: { in: good } } })).toBe(2);
    expect(log.stats.dropped).toBe(1);
    expect(lines.join("\n")).toMatch(/dropped a call row/);
  });
});

describe("write-behind log on a pg Pool (one statement a batch, what the Gateway uses)", () => {
  const row = (id: string, workspace: string) => ({
    id,
    workspaceId: workspace,
    groupId: id,
    source: "gateway" as const,
    model: "m",
    params: { temperature: 0 },
    variables: { name: "Ada" },
    messages: [{ role: "user", content: "Hi" }],
    createdAt: new Date("2026-12-01T10:00:00.123Z"),
  });

  it("writes calls, feedback, interactions and the key's last use in one statement, with the columns' defaults", async () => {
    const { CallLog } = await import("../../lib/gateway/call-log.ts");
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    const log = new CallLog({ sql: pool, intervalMs: 60_000, log: () => undefined });
    const id = randomUUID();
    log.pushCall(row(id, workspaceId));
    log.pushCall(row(id, workspaceId)); // a duplicate id is skipped, as createMany's skipDuplicates did
    log.pushFeedback({ id: randomUUID(), workspaceId, callId: id, score: 1 });
    log.pushInteraction({ id: randomUUID(), workspaceId, callId: id, item: 2 });
    log.touchKey(keyId, Date.parse("2030-01-01T00:00:00.000Z"));
    await log.close();
    await pool.end();
    const call = await db.call.findUniqueOrThrow({ where: { id } });
    expect(call).toMatchObject({
      source: "gateway",
      output: "",
      connectionName: "",
      usageEstimated: false,
      shadow: false,
      params: { temperature: 0 },
      variables: { name: "Ada" },
      messages: [{ role: "user", content: "Hi" }],
      error: null,
      createdAt: new Date("2026-12-01T10:00:00.123Z"),
    });
    expect(await db.gatewayFeedback.findMany({ where: { callId: id }, select: { score: true, comment: true } })).toEqual([{ score: 1, comment: "" }]);
    expect(await db.gatewayInteraction.findMany({ where: { callId: id }, select: { item: true } })).toEqual([{ item: 2 }]);
    expect((await db.gatewayKey.findUniqueOrThrow({ where: { id: keyId } })).lastUsedAt).toEqual(new Date("2030-01-01T00:00:00.000Z"));
    expect(log.stats.written).toBe(4);
  });

  it("keeps the rows when the database cannot be reached, and drops only the rows the database refuses", async () => {
    const { CallLog } = await import("../../lib/gateway/call-log.ts");
    const { default: pg } = await import("pg");
    const unreachable = new pg.Pool({ connectionString: "postgresql://nobody@127.0.0.1:1/none", max: 1 });
    const down = new CallLog({ sql: unreachable, intervalMs: 60_000, log: () => undefined });
    down.pushCall(row(randomUUID(), workspaceId));
    down.pushCall(row(randomUUID(), workspaceId));
    await expect(down.flush()).rejects.toThrow();
    expect(down.pending).toBe(2);
    await unreachable.end();

    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    const lines: string[] = [];
    const log = new CallLog({ sql: pool, intervalMs: 60_000, log: (line) => lines.push(line) });
    const good = [randomUUID(), randomUUID()];
    log.pushCall(row(good[0]!, workspaceId));
    log.pushCall(row(randomUUID(), "no-such-workspace"));
    log.pushCall(row(good[1]!, workspaceId));
    await log.close();
    await pool.end();
    expect(await db.call.count({ where: { id: { in: good } } })).toBe(2);
    expect(log.stats.dropped).toBe(1);
    expect(lines.join("\n")).toMatch(/dropped a call row/);
  });
});

describe("the openai SDK in-process", () => {
  it("lists, chats, streams with usage only when asked, and raises the gateway's errors", async () => {
    const { default: OpenAI } = await import("openai");
    await promptWith("sdk", ["fake-echo"]);
    await gateway.plans.reload(workspaceId);
    const client = new OpenAI({
      baseURL: "http://gateway.test/api/gateway/v1",
      apiKey: key,
      maxRetries: 0,
      fetch: (url, init) => gateway.handle(new Request(url, init)),
    });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain("sdk");
    expect(models.data.map((model) => model.id)).toContain("sdk@production");

    const completion = await client.chat.completions.create({ model: "sdk", messages: [], metadata: { name: "Ada" } });
    expect(completion.choices[0]!.message.content).toBe("Echo: Hello Ada");
    expect(completion.object).toBe("chat.completion");
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);

    const withUsage = await client.chat.completions.create({ model: "sdk", messages: [], metadata: { name: "Bo" }, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: unknown = null;
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Echo: Hello Bo");
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });

    const withoutUsage = await client.chat.completions.create({ model: "sdk", messages: [], metadata: { name: "Cy" }, stream: true });
    const chunks = [];
    for await (const chunk of withoutUsage) chunks.push(chunk);
    expect(chunks.every((chunk) => !chunk.usage)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("")).toBe("Echo: Hello Cy");

    await promptWith("cut", ["fake-cut"]);
    await gateway.plans.reload(workspaceId);
    const cut = await client.chat.completions.create({ model: "cut", messages: [], metadata: { name: "a long enough message to cut" }, stream: true });
    let received = "";
    await expect(
      (async () => {
        for await (const chunk of cut) received += chunk.choices[0]?.delta?.content ?? "";
      })(),
    ).rejects.toThrow(/cut|closed|terminated|stream/i);
    expect(received.length).toBeGreaterThan(0);

    await expect(client.chat.completions.create({ model: "nope", messages: [] })).rejects.toMatchObject({ status: 404, code: "model_not_found", param: "model" });
    await expect(client.chat.completions.create({ model: "sdk@staging", messages: [], metadata: { name: "x" } })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    const badKey = new OpenAI({ baseURL: "http://gateway.test/api/gateway/v1", apiKey: "assay_gw_wrong", maxRetries: 0, fetch: (url, init) => gateway.handle(new Request(url, init)) });
    await expect(badKey.models.list()).rejects.toMatchObject({ status: 401, code: "invalid_api_key" });
  });
});
