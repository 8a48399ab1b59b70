import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../lib/db.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { chatRequest, gatewayBody, seedGatewayWorld, startAssay, steadyTraffic, type AssayProcess, type GatewayAnswer, type GatewayWorld } from "../support/gateway-app.ts";
import { isolatedDatabase } from "../support/isolated-database.ts";

// Issue #11: "kill -9 of the web process under gateway traffic: on restart the release state is intact and the calls
// lost are within the stated bound; a clean stop loses none." An app of this file's own (`assay start` on its own
// database, ASSAY_HOME and port), a steady stream of gateway calls through a running canary, then `kill -9` of the
// Next.js process. The write-behind log flushes every 100 ms; what a kill -9 loses is what was answered since the last
// commit: the interval, plus the commit in progress, plus the one before it when a flush waited for it. On these
// shared 2-core machines a commit under load takes a few hundred ms (measured 461 and 573 ms windows at load average
// 7–10), so the stated bound is 1 s of traffic: a log that flushed only by size (500 rows = 10 s here) or only on a
// clean stop fails it.

const RATE = 50;
const FLUSH_INTERVAL_MS = 100;
/** commits in progress when the process died (their rows were taken from the buffer but not committed) */
const COMMIT_ALLOWANCE_MS = 900;

const databaseUrl = await isolatedDatabase("gateway_crash");
const db = createDb(databaseUrl);
let fake: FakeOpenAI;
let world: GatewayWorld;
let home: string;
let app: AssayProcess | null = null;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const USERS = 100;
/** the arm each user was answered by (the last answer wins; sticky assignment makes them all the same) */
const armOfUser = new Map<string, string>();
const send = async (index: number) => {
  const user = `user-${index % USERS}`;
  const answer = await chatRequest(agent, `${app!.url}/api/gateway/v1`, gatewayBody(world, user, `question ${index}`), { authorization: `Bearer ${world.key}` });
  if (answer.arm && answer.error === null) {
    const earlier = armOfUser.get(user);
    if (earlier !== undefined && earlier !== answer.arm) throw new Error(`${user} moved from ${earlier} to ${answer.arm}`);
    armOfUser.set(user, answer.arm);
  }
  return answer;
};

async function storedIds(answers: GatewayAnswer[]): Promise<Set<string>> {
  const ids = answers.map((answer) => answer.callId).filter((id): id is string => id !== null);
  const rows = await db.call.findMany({ where: { id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((row) => row.id));
}

const answeredOf = (answers: GatewayAnswer[]) => answers.filter((answer) => answer.error === null && answer.callId !== null);

beforeAll(async () => {
  fake = await startFakeOpenAI({ record: false });
  world = await seedGatewayWorld(db, { upstreamUrl: fake.url, canaryPercent: 10, slug: "gateway-crash" });
  home = await mkdtemp(path.join(os.tmpdir(), "assay-gateway-crash-"));
  app = await startAssay({ databaseUrl, home });
  await warmUp();
});

/** The first requests of a fresh process load the route's code and the plan: not the steady state under test. */
async function warmUp(): Promise<void> {
  for (let index = 0; index < 30; index++) {
    const answer = await send(index);
    if (answer.error) throw new Error(`warm-up request failed: ${answer.error}`);
  }
}

afterAll(async () => {
  if (app && app.child.exitCode === null && app.child.signalCode === null) {
    app.child.kill("SIGTERM");
    await app.exited;
  }
  agent.destroy();
  await fake?.close();
  await db.$disconnect();
  await rm(home, { recursive: true, force: true });
});

describe("gateway under kill -9 and a clean stop", () => {
  const before = new Map<string, string>();

  it("loses at most the calls of the last flush interval and the commits in progress (≤ 1 s) to a kill -9 of the web process, and keeps the release", async () => {
    const traffic = steadyTraffic(RATE, send);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const web = app!.webPid();
    const killedAt = performance.now();
    process.kill(web, "SIGKILL");
    // `assay start` stops when its web process dies; the requests still in flight fail.
    await app!.exited;
    const answers = await traffic.stop();
    const answered = answeredOf(answers).filter((answer) => answer.endedAt <= killedAt);
    const failedBefore = answers.filter((answer) => answer.error !== null && answer.endedAt < killedAt);
    expect(failedBefore.map((answer) => answer.error).slice(0, 3)).toEqual([]);
    expect(answered.length).toBeGreaterThan(RATE);
    for (const answer of answered) before.set(`${answer.callId}`, answer.arm ?? "");

    app = await startAssay({ databaseUrl, home });
    const stored = await storedIds(answered);
    const lost = answered.filter((answer) => !stored.has(answer.callId as string));
    const oldestLostMs = lost.length === 0 ? 0 : killedAt - Math.min(...lost.map((answer) => answer.endedAt));
    console.log(
      `kill -9 under ${RATE} requests/s: ${answered.length} calls answered before the kill, ${stored.size} stored, ${lost.length} lost; ` +
        `the oldest lost call ended ${oldestLostMs.toFixed(0)} ms before the kill (bound ${FLUSH_INTERVAL_MS} ms flush interval + ${COMMIT_ALLOWANCE_MS} ms for commits in progress)`,
    );
    expect(oldestLostMs).toBeLessThanOrEqual(FLUSH_INTERVAL_MS + COMMIT_ALLOWANCE_MS);
    expect(lost.length).toBeLessThanOrEqual(Math.ceil((RATE * (FLUSH_INTERVAL_MS + COMMIT_ALLOWANCE_MS)) / 1000));

    // The release is as it was: running, same stage and salt, and every user answered by the same arm as before.
    const release = await db.release.findUniqueOrThrow({ where: { id: world.releaseId } });
    expect({ state: release.state, stage: release.stage, salt: release.salt }).toEqual({ state: "running", stage: 0, salt: "5eed5eed5eed5eed" });
    const storedCalls = await db.call.findMany({ where: { id: { in: [...stored] } }, select: { id: true, arm: true, releaseId: true } });
    expect(storedCalls.every((call) => call.releaseId === world.releaseId && call.arm === before.get(call.id))).toBe(true);
    const armsBefore = new Map(armOfUser);
    expect(armsBefore.size).toBe(USERS);
    await warmUp();
    // After the restart every user gets the arm it had before (send() throws on a move), and ~10 % are on the candidate.
    for (let index = 0; index < USERS; index++) {
      const answer = await send(index);
      expect(answer.error).toBeNull();
      expect(answer.release).toBe(world.releaseId);
    }
    expect(armOfUser).toEqual(armsBefore);
    const candidates = [...armOfUser.values()].filter((arm) => arm === "candidate").length;
    expect(candidates).toBeGreaterThan(2);
    expect(candidates).toBeLessThan(25);
  });

  it("loses no answered call on a clean stop (SIGTERM to assay start) under traffic", async () => {
    const traffic = steadyTraffic(RATE, send);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const termAt = performance.now();
    app!.child.kill("SIGTERM");
    await app!.exited;
    const exitedAt = performance.now();
    const answers = await traffic.stop();
    const answered = answeredOf(answers);
    expect(answered.length).toBeGreaterThan(20);
    const stored = await storedIds(answered);
    console.log(`clean stop under ${RATE} requests/s: ${answered.length} calls answered, ${stored.size} stored (the stop took ${(exitedAt - termAt).toFixed(0)} ms)`);
    // On failure: when each missing call ended, relative to the SIGTERM, and what the app said while stopping.
    const missing = answered.filter((answer) => !stored.has(answer.callId as string)).map((answer) => `${answer.callId} ended at +${(answer.endedAt - termAt).toFixed(0)} ms`);
    expect(missing, app!.output().split("\n").slice(-20).join("\n")).toEqual([]);
    app = null;
  });
});
