import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../support/isolated-database.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

// Issue #9: a catastrophic pattern against a long model reply must neither hang the run nor stall the process that
// also answers /api/health. With a backtracking engine `^(a+)+$` against 100,000 "a"s and a "b" runs for ages on the
// worker's event loop; with RE2 it is a plain fail.
process.env.DATABASE_URL = await isolatedDatabase("regex-redos");
process.env.ASSAY_SECRET ??= "test-secret-for-redos-0123456789";

const { db } = await import("../../lib/db.ts");
const runs = await import("../../lib/runs/service.ts");
const { RunWorker } = await import("../../lib/runs/worker.ts");
const { waitForRun } = await import("../../lib/runs/wait.ts");
const { stopBoss } = await import("../../lib/runs/queue.ts");
const { createConnection } = await import("../../lib/connections/service.ts");
const { checkHealth } = await import("../../lib/runtime/health.ts");

const reply = `${"a".repeat(100_000)}b`;
let fake: FakeOpenAI;
let workspaceId: string;
let connectionId: string;
let worker: InstanceType<typeof RunWorker>;

beforeAll(async () => {
  fake = await startFakeOpenAI({ reply });
  const stamp = `${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Redos", slug: `redos-${stamp}` } })).id;
  connectionId = (
    await createConnection(workspaceId, { name: "fake", baseUrl: fake.url, apiKey: "sk-test-0123456789abcdef", models: [{ name: "fake-a" }] })
  ).id;
  worker = new RunWorker({ log: (line) => console.log(`[worker] ${line}`) });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await stopBoss();
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await fake?.close();
  await db.$disconnect();
});

describe("regex assertions on a hostile reply", () => {
  it("fails ^(a+)+$ against 100,000 a's and a b, and health keeps answering meanwhile", async () => {
    const suite = await db.suite.create({ data: { workspaceId, name: "redos", assertions: [{ type: "regex", value: "^(a+)+$" }] } });
    await db.case.create({ data: { suiteId: suite.id, position: 0, key: "k0", variables: {}, expected: "" } });

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let healthAnswers = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        if ((await checkHealth()).status === "ok") healthAnswers += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const { id } = await runs.createRun(workspaceId, null, {
        suiteId: suite.id,
        variants: [{ prompt: { messages: [{ role: "user", content: "Say a lot of a" }], examples: [], counterexamples: [], exampleMode: "chat" }, connectionId, model: "fake-a" }],
      });
      const progress = await waitForRun(id);
      expect(progress).toMatchObject({ status: "completed", total: 1, done: 1, errors: 0 });
      const results = await runs.listResults(workspaceId, id, {});
      const cell = results.rows[0]?.cells[0];
      expect(cell?.output).toBe(reply);
      expect(cell?.pass).toBe(false);
      expect(cell?.reason).toBe("expected output to match /^(a+)+$/");
    } finally {
      polling = false;
      await poller;
      delay.disable();
    }
    // The health loop ran alongside the run; a backtracking match would hold the event loop for hours, far past 2 s.
    expect(healthAnswers).toBeGreaterThan(0);
    expect(delay.max / 1e6).toBeLessThan(2_000);
  });
});
