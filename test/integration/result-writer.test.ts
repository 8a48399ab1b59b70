import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";

process.env.DATABASE_URL = inject("databaseUrl");

const { db } = await import("../../lib/db.ts");
const { ResultWriter } = await import("../../lib/runs/result-writer.ts");

afterAll(async () => {
  await db.$disconnect();
});

describe("result writer", () => {
  it("logs a batch that could not be written, and rejects its rows", async () => {
    const lines: string[] = [];
    const writer = new ResultWriter((line) => lines.push(line));
    // A run that does not exist: the batch breaks the Result → Run foreign key, as a run deleted mid-flight would.
    const runId = `missing-${randomUUID()}`;
    const row = {
      id: randomUUID(), runId, variantId: "no-variant", caseId: "no-case", repeat: 0, output: "x", finishReason: "stop",
      inputTokens: 1, outputTokens: 1, usageEstimated: false, cost: null, ttftMs: null, latencyMs: null, assertions: [],
      pass: true, score: 1, error: null, attempts: 1, retries: 0, cached: false,
    };
    const written = writer.add({ row });
    const settled = written.then(() => "written", (error: unknown) => `rejected: ${String(error).slice(0, 40)}`);
    await writer.flush();
    expect(await settled).toMatch(/^rejected: /);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^writing 1 result of run ${runId} failed: `));
  });
});
