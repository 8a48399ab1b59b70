// `npm run bench:distill`: a classifier student distilled from a keyword-labelling teacher — training time for 5,000
// examples, held-out agreement, and latency over HTTP through the one call path (limitedCall) of the student served
// by the model server vs the teacher (the fake server at 300 ms). Prints measured vs target and their ratio.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ClassifierStudent } from "../lib/distill/classifier.ts";
import type { StudentSource } from "../lib/distill/serve-student.ts";
import { distill } from "../lib/distill/train.ts";
import { limitedCall, type LimitedTarget } from "../lib/llm/limited-call.ts";
import { startModelServer } from "../lib/local-models/server.ts";
import { startFakeOpenAI } from "../test/support/fake-openai-server.ts";
import { keywordLabel, keywordTexts } from "../test/support/keyword-texts.ts";

const KEY = "bench-workspace-key";
const percentile = (values: number[], share: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
};
const target = (baseURL: string, apiKey: string | null, model: string): LimitedTarget => ({
  target: { baseURL, apiKey, model },
  connectionId: null,
  limitKey: baseURL,
  concurrency: null,
  rpm: null,
  tpm: null,
});

async function latencies(limited: LimitedTarget, inputs: string[]): Promise<{ callPath: number[]; raw: number[] }> {
  const callPath: number[] = [];
  for (const input of inputs) {
    const started = performance.now();
    const { result } = await limitedCall(limited, [{ role: "user", content: input }], {}, { run: null }, { maxRetries: 0, signal: new AbortController().signal });
    if (result.error) throw new Error(`${limited.target.model}: ${result.error.message}`);
    callPath.push(performance.now() - started);
  }
  // The bare HTTP round trip (non-streaming, keep-alive), without the SDK's stream parsing.
  const raw: number[] = [];
  for (const input of inputs) {
    const started = performance.now();
    const response = await fetch(`${limited.target.baseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${limited.target.apiKey ?? "none"}` },
      body: JSON.stringify({ model: limited.target.model, messages: [{ role: "user", content: input }], logprobs: true, top_logprobs: 4 }),
    });
    await response.json();
    raw.push(performance.now() - started);
  }
  return { callPath, raw };
}

const inputs = keywordTexts(6250, 42);
const rows = inputs.map((input) => ({ input, output: keywordLabel(input) }));
// 6,250 rows with 20 % held out: 5,000 training examples.
const trained = distill(rows);
const trainedAgain = distill(rows);
const trainingMs = Math.min(trained.metrics.trainingMs, trainedAgain.metrics.trainingMs);

const classifier = ClassifierStudent.deserialize(trained.classifier.serialize());
// The served student comes from memory here; in `assay serve-model` it comes from the Student table, read at most
// once a second per student (lib/distill/serve-student.ts), so the per-request path is the same.
const students: StudentSource = {
  list: async () => [{ name: "tickets", createdAt: new Date(), kind: "classifier", cascade: false }],
  find: async (name) => (name === "tickets" ? { name, kind: "classifier", classifier, path: null, cascade: null, origin: "database" } : null),
};
const modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-bench-distill-"));
const server = await startModelServer({ modelsDir, port: 0, students, workspaceOfKey: async (apiKey) => (apiKey === KEY ? "bench" : null) });
const teacher = await startFakeOpenAI({ latencyMs: 300, record: false, reply: (request) => keywordLabel(request.lastUserMessage) });
try {
  const probe = keywordTexts(2200, 7);
  const student = target(`${server.url}/v1`, KEY, "student:tickets");
  await latencies(student, probe.slice(0, 200)); // warm-up: JIT, the SDK client, keep-alive sockets
  const measured = await latencies(student, probe.slice(200));
  const teacherRuns = await latencies(target(teacher.url, null, "fake-echo"), probe.slice(0, 10));
  const studentP50 = percentile(measured.callPath, 0.5);
  const teacherP50 = percentile(teacherRuns.callPath, 0.5);
  const rowsOut = [
    ["training 5,000 examples (ms)", trainingMs, 2000],
    ["held-out agreement (exact match)", trained.metrics.exactMatch, 0.95],
    ["held-out Cohen's κ", trained.metrics.heads[0]!.kappa, 0.9],
    ["student p50 over HTTP, limitedCall (ms)", studentP50, 2],
    ["student p95 over HTTP, limitedCall (ms)", percentile(measured.callPath, 0.95), 5],
    ["student p50 over HTTP, bare fetch (ms)", percentile(measured.raw, 0.5), 2],
    ["teacher p50 (fake, 300 ms), limitedCall (ms)", teacherP50, 300],
  ] as const;
  console.log(`bench:distill — ${trained.metrics.trainRows} training / ${trained.metrics.heldOutRows} held-out rows, ${measured.callPath.length} student calls\n`);
  console.log(`${"figure".padEnd(48)}${"measured".padStart(12)}${"target".padStart(10)}${"ratio".padStart(9)}`);
  for (const [name, value, goal] of rowsOut) {
    console.log(`${name.padEnd(48)}${value.toFixed(value < 10 ? 3 : 1).padStart(12)}${String(goal).padStart(10)}${(value / goal).toFixed(2).padStart(9)}`);
  }
  const artifactBytes = Buffer.byteLength(JSON.stringify(trained.classifier.serialize()));
  console.log(`\nstored artifact (Student.artifact JSON): ${(artifactBytes / 1024).toFixed(1)} KiB`);
  console.log(`student is ${(teacherP50 / studentP50).toFixed(0)}× faster than the teacher at p50 (same call path)`);
} finally {
  await server.close();
  await teacher.close();
  await rm(modelsDir, { recursive: true, force: true });
}
