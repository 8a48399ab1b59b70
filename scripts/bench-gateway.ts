// `npm run bench:gateway`: what the release gateway adds to a call, against the same call made straight to the
// upstream. A fake OpenAI-compatible upstream in this process (streaming, no added latency), the real app
// (`assay start`, production build) on its own embedded PostgreSQL and ASSAY_HOME, seeded with a prompt whose
// `production` label is on v1, a candidate v2, a gateway key and a running canary at 5 %.
//
// 1. Open loop at BENCH_RATE (200) requests/s for BENCH_SECONDS (60) s on a fixed schedule, each tick sending one
//    request through the gateway and one straight to the upstream (same body, streamed with usage): the added
//    latency is the gateway's percentile minus the direct one (targets p50 ≤ 1 ms, p99 ≤ 5 ms), errors (must be 0),
//    and calls stored vs answered once the write-behind log has flushed.
// 2. Closed loop, BENCH_CONCURRENCY (64) requests in flight for BENCH_SATURATION_SECONDS (15) s: the throughput of one
//    web process at saturation, next to the upstream's own under the same load.
// 3. The web (Next.js) process's peak resident memory (VmHWM).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createDb } from "../lib/db.ts";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { migrate } from "../lib/db/migrate.ts";
import { freePort } from "../test/support/app-setup.ts";
import { startFakeOpenAI } from "../test/support/fake-openai-server.ts";
import { chatRequest, gatewayBody, peakRssMb, seedGatewayWorld, startAssay, type GatewayAnswer } from "../test/support/gateway-app.ts";
import { quantile, ratioLine } from "./bench-support.ts";

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SATURATION_SECONDS = Number(process.env.BENCH_SATURATION_SECONDS ?? 15);
const WARMUP = 400;
const USERS = 5_000;

const scratch = await mkdtemp(path.join(os.tmpdir(), "assay-bench-gateway-"));
// initdb runs as the postgres user when we are root: it must reach the folder.
await chmod(scratch, 0o755);
const postgres = await startEmbeddedPostgres({ dataDir: path.join(scratch, "pg"), port: await freePort(), database: "assay_bench_gateway" });
const fake = await startFakeOpenAI({ record: false, latencyMs: 0, tokenDelayMs: 0 });
let app: Awaited<ReturnType<typeof startAssay>> | null = null;
const db = createDb(postgres.url);
try {
  await migrate(postgres.url);
  const world = await seedGatewayWorld(db, { upstreamUrl: fake.url, canaryPercent: 5 });
  // BENCH_APP_NODE_OPTIONS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") reaches the app's processes only.
  const appNodeOptions = process.env.BENCH_APP_NODE_OPTIONS;
  app = await startAssay({ databaseUrl: postgres.url, home: path.join(scratch, "home"), ...(appNodeOptions ? { env: { NODE_OPTIONS: appNodeOptions } } : {}) });
  const gatewayBase = `${app.url}/api/gateway/v1`;
  const auth = { authorization: `Bearer ${world.key}` };
  const gatewayAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const directAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  // The direct call sends what the gateway sends upstream: the rendered message, the model, stream with usage.
  const directBody = (question: string) => ({
    model: "fake-echo",
    messages: [{ role: "user", content: `Answer briefly: ${question}` }],
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  const user = (index: number) => `user-${index % USERS}`;

  // Warm-up: JIT, the plan cache, connection pools on both paths.
  for (let index = 0; index < WARMUP; index++) {
    const [through, direct] = await Promise.all([
      chatRequest(gatewayAgent, gatewayBase, gatewayBody(world, user(index), `warm ${index}`), auth),
      chatRequest(directAgent, fake.url, directBody(`warm ${index}`)),
    ]);
    if (through.error || direct.error) throw new Error(`warm-up failed: ${through.error ?? direct.error}`);
  }

  // 1. Open loop on a fixed schedule: request i leaves at start + i / RATE whatever the previous ones are doing.
  const total = Math.round(RATE * SECONDS);
  const gateway: GatewayAnswer[] = [];
  const direct: GatewayAnswer[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now() + 50;
  let sent = 0;
  let maxLagMs = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / RATE <= now) {
        maxLagMs = Math.max(maxLagMs, now - (start + (sent * 1000) / RATE));
        const index = sent++;
        const question = `question ${index}`;
        pending.push(chatRequest(gatewayAgent, gatewayBase, gatewayBody(world, user(index), question), auth).then((answer) => void gateway.push(answer)));
        pending.push(chatRequest(directAgent, fake.url, directBody(question)).then((answer) => void direct.push(answer)));
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 1);
  });
  await Promise.all(pending);

  const errors = gateway.filter((answer) => answer.error !== null);
  const directErrors = direct.filter((answer) => answer.error !== null);
  const answered = gateway.filter((answer) => answer.error === null);
  const candidateShare = answered.filter((answer) => answer.arm === "candidate").length / Math.max(1, answered.length);
  // The write-behind log flushes every 100 ms: wait until every answered call is stored or the count stops moving.
  const answeredIds = answered.map((answer) => answer.callId).filter((id): id is string => id !== null);
  const countStored = async () => {
    let found = 0;
    for (let offset = 0; offset < answeredIds.length; offset += 5_000) {
      found += await db.call.count({ where: { id: { in: answeredIds.slice(offset, offset + 5_000) } } });
    }
    return found;
  };
  let stored = 0;
  for (let waited = 0; waited < 15_000; waited += 250) {
    const now = await countStored();
    if (now >= answeredIds.length || (now === stored && waited >= 2_000)) {
      stored = now;
      break;
    }
    stored = now;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const latencies = (answers: GatewayAnswer[]) => answers.filter((answer) => answer.error === null).map((answer) => answer.latencyMs);
  const through = latencies(gateway);
  const straight = latencies(direct);
  const p = (values: number[], q: number) => quantile(values, q);
  console.log(`load average ${os.loadavg().map((value) => value.toFixed(1)).join(" ")} on ${os.cpus().length} cores (other processes share them: figures are upper bounds of the gateway's cost)`);
  console.log(`${total} requests through the gateway and ${total} straight to the upstream, ${RATE}/s each for ${SECONDS} s (open loop; worst schedule lag ${maxLagMs.toFixed(1)} ms)`);
  console.log(`a running canary at 5 %: ${(candidateShare * 100).toFixed(1)} % answered by the candidate; streamed with usage; every call logged`);
  console.log(`latency, gateway: p50 ${p(through, 0.5).toFixed(2)} ms, p99 ${p(through, 0.99).toFixed(2)} ms; direct: p50 ${p(straight, 0.5).toFixed(2)} ms, p99 ${p(straight, 0.99).toFixed(2)} ms`);
  console.log(ratioLine("added latency p50 (gateway − direct)", p(through, 0.5) - p(straight, 0.5), 1));
  console.log(ratioLine("added latency p99 (gateway − direct)", p(through, 0.99) - p(straight, 0.99), 5));
  console.log(`errors: ${errors.length} through the gateway${errors[0] ? ` (first: ${errors[0].error})` : ""}, ${directErrors.length} direct   (target 0)`);
  console.log(`calls stored ${stored} vs answered ${answered.length}${stored === answered.length ? "   (all stored)" : `   (${answered.length - stored} missing)`}${answeredIds.length < answered.length ? ` (${answered.length - answeredIds.length} answers without a call id)` : ""}`);

  // Where the added latency goes: GET /models runs the same Next route stack, key check and plan cache, without an
  // upstream call or a stream (sequential, after the open loop).
  const modelsLatencies: number[] = [];
  for (let index = 0; index < 300; index++) {
    const started = performance.now();
    const response = await fetch(`${gatewayBase}/models`, { headers: auth });
    await response.arrayBuffer();
    if (index >= 50) modelsLatencies.push(performance.now() - started);
  }
  console.log(`for scale: GET /models through the same route stack (no upstream, no stream): p50 ${p(modelsLatencies, 0.5).toFixed(2)} ms, p99 ${p(modelsLatencies, 0.99).toFixed(2)} ms`);

  // 2. Closed loop at saturation.
  const saturate = async (send: (index: number) => Promise<GatewayAnswer>) => {
    const until = performance.now() + SATURATION_SECONDS * 1000;
    let done = 0;
    let failed = 0;
    let counter = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const answer = await send(counter++);
          if (answer.error) failed++;
          else done++;
        }
      }),
    );
    return { perSecond: done / SATURATION_SECONDS, failed };
  };
  const gatewaySaturated = await saturate((index) => chatRequest(gatewayAgent, gatewayBase, gatewayBody(world, user(index), `load ${index}`), auth));
  const directSaturated = await saturate((index) => chatRequest(directAgent, fake.url, directBody(`load ${index}`)));
  console.log(`\nsaturation, ${CONCURRENCY} in flight for ${SATURATION_SECONDS} s each (closed loop)`);
  console.log(`gateway ${gatewaySaturated.perSecond.toFixed(0)} requests/s (${gatewaySaturated.failed} errors); upstream alone ${directSaturated.perSecond.toFixed(0)} requests/s (${directSaturated.failed} errors)`);
  console.log(`gateway / upstream throughput ratio ${(gatewaySaturated.perSecond / directSaturated.perSecond).toFixed(2)} (ideal 1; the bench, the upstream and the app share ${os.cpus().length} cores)`);

  // 3. Peak memory of the web process.
  const webPid = app.webPid();
  console.log(`web process (pid ${webPid}) peak RSS (VmHWM): ${peakRssMb(webPid).toFixed(0)} MB`);
  gatewayAgent.destroy();
  directAgent.destroy();
} finally {
  if (app) {
    app.child.kill("SIGTERM");
    await app.exited;
  }
  await db.$disconnect();
  await fake.close();
  await postgres.stop();
  await rm(scratch, { recursive: true, force: true });
}
