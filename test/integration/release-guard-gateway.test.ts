import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// End to end without a browser: traffic through the gateway's in-process handler, the candidate's upstream failing
// 10 % of its calls (fake server faults), the write-behind log flushed, and the release monitor — running on its own
// timer — rolls the release back by itself; the gateway then sends everyone to stable.

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";

const { db } = await import("../../lib/db.ts");
const connections = await import("../../lib/connections/service.ts");
const prompts = await import("../../lib/prompts/service.ts");
const { completeConfig, releaseConfigInput } = await import("../../lib/releases/schema.ts");
const { Gateway } = await import("../../lib/gateway/gateway.ts");
const { createGatewayKey } = await import("../../lib/gateway/keys.ts");
const { startReleaseMonitor } = await import("../../lib/releases/monitor.ts");
const { settleReleaseWebhooks } = await import("../../lib/releases/webhook.ts");

let stableUpstream: FakeOpenAI;
let candidateUpstream: FakeOpenAI;
let gateway: InstanceType<typeof Gateway>;
let workspaceId: string;
let key: string;

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  stableUpstream = await startFakeOpenAI({ record: false });
  candidateUpstream = await startFakeOpenAI({ record: false, faults: { error500: 0.1, seed: 7 } });
  workspaceId = (await db.workspace.create({ data: { name: "Guarded", slug: `guarded-${suffix}` } })).id;
  const userId = (await db.user.create({ data: { id: randomUUID(), name: "Gus", email: `gus-${suffix}@example.com`, emailVerified: true } })).id;
  const connectionOf = async (name: string, url: string) =>
    (await connections.createConnection(workspaceId, { name, baseUrl: url, concurrency: 1000, models: [{ name: "fake-echo", contextWindow: 8000, inputPricePerM: 1, outputPricePerM: 2 }] })).id;
  const stableConnection = await connectionOf("Stable upstream", stableUpstream.url);
  const candidateConnection = await connectionOf("Candidate upstream", candidateUpstream.url);
  const version = (connectionId: string, text: string) => ({
    messages: [{ role: "user" as const, content: `${text} {{ name }}` }],
    examples: [],
    counterexamples: [],
    exampleMode: "chat" as const,
    connectionId,
    model: "fake-echo",
    params: {},
    commitMessage: text,
  });
  const prompt = await prompts.createPrompt(workspaceId, userId, { name: "guarded", version: version(stableConnection, "v1") });
  const v2 = await prompts.createVersion(workspaceId, prompt.id, userId, version(candidateConnection, "v2"));
  await db.promptLabel.create({ data: { promptId: prompt.id, name: "production", versionId: prompt.latest.id } });
  // A canary at 50 % (so a few hundred requests give both arms enough calls), held 10 minutes: nothing advances.
  await db.release.create({
    data: {
      workspaceId,
      promptId: prompt.id,
      mode: "canary",
      state: "running",
      salt: randomBytes(8).toString("hex"),
      config: completeConfig(releaseConfigInput.parse({ steps: [50, 100] }), 2) as object,
      stage: 0,
      stageStartedAt: new Date(),
      startedAt: new Date(),
      arms: { create: [{ name: "stable", versionId: prompt.latest.id, position: 0 }, { name: "candidate", versionId: v2.id, position: 1 }] },
    },
  });
  const made = createGatewayKey();
  key = made.key;
  await db.gatewayKey.create({ data: { workspaceId, name: "test", keyHash: made.keyHash, prefix: made.prefix } });
  gateway = new Gateway({ log: () => undefined });
  await gateway.plans.ready();
});

afterAll(async () => {
  await gateway?.close();
  await stableUpstream?.close();
  await candidateUpstream?.close();
  await settleReleaseWebhooks();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await db.$disconnect();
});

const chat = (user: string) =>
  new Request("http://gateway.test/api/gateway/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "guarded", user, metadata: { name: "Ada" } }),
  });

describe("guards through the gateway", () => {
  it("rolls back by itself a candidate whose upstream returns 500 for 10 % of its calls", async () => {
    const release = await db.release.findFirstOrThrow({ where: { workspaceId } });
    const monitor = startReleaseMonitor({ intervalMs: 100, workspaceId, log: () => undefined });
    try {
      const statuses = new Map<string, number>();
      let next = 0;
      const send = async () => {
        while (next < 800) {
          const index = next++;
          const response = await gateway.handle(chat(`user-${index}`));
          await response.arrayBuffer();
          const outcome = `${response.headers.get("x-assay-arm") ?? "no arm header"} ${response.status}`;
          statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: 20 }, send));
      await gateway.flush();
      // Responses without an arm came after the rollback, which usually lands while the traffic is still running.
      console.log("gateway responses:", Object.fromEntries(statuses));
      // The gateway passes the upstream's failures through: only the candidate's upstream fails.
      expect([...statuses.keys()].filter((outcome) => outcome.startsWith("stable")).sort()).toEqual(["stable 200"]);
      expect([...statuses.keys()].some((outcome) => outcome.endsWith(" 500"))).toBe(true);

      // The monitor's timer acts on the stored calls; no tick is called by hand. (It watches this file's workspace only:
    // other files' releases share the database.)
      await expect.poll(async () => (await db.release.findUniqueOrThrow({ where: { id: release.id } })).state, { timeout: 20_000, interval: 100 }).toBe("rolled_back");
    } finally {
      await monitor.stop();
    }
    const stored = await db.release.findUniqueOrThrow({ where: { id: release.id } });
    const reason = stored.reason as { kind: string; message: string; evidence: { guards: { name: string }[] } };
    expect(reason.kind).toBe("guard");
    expect(reason.evidence.guards.map((guard) => guard.name)).toContain("errorRate");
    const event = await db.releaseEvent.findFirstOrThrow({ where: { releaseId: release.id, kind: "rolled_back" } });
    expect(event.actorId).toBeNull();

    // After the rollback (NOTIFY → plan reload) no release routes: every request gets the production label, v1.
    await gateway.plans.reload(workspaceId);
    const answers = new Set<string>();
    for (let index = 0; index < 50; index++) {
      const response = await gateway.handle(chat(`user-${index}`));
      await response.arrayBuffer();
      answers.add(`${response.status} v${response.headers.get("x-assay-version")} release "${response.headers.get("x-assay-release")}"`);
    }
    expect([...answers]).toEqual(['200 v1 release ""']);
  }, 60_000);
});
