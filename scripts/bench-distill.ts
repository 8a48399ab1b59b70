// `npm run bench:distill`: a classifier student distilled from a keyword-labelling teacher — training time for 5,000
// examples, held-out agreement, and latency over HTTP through the one call path (limitedCall) of the student and of
// cascade:<name> (at the threshold picked for 98 % agreement) served by the model server vs the teacher (the fake
// server at 300 ms). Prints measured vs target and their ratio.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ClassifierStudent } from "../lib/distill/classifier.ts";
import { coverageAgreementCurve, pickThreshold } from "../lib/distill/cascade-curve.ts";
import { confidenceOf, type StudentSource } from "../lib/distill/serve-student.ts";
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
// The cascade's threshold, picked as the pipeline does (coverage–agreement curve, target agreement 98 %) on 1,000
// fresh rows the student never saw.
const TARGET_AGREEMENT = 0.98;
const pickRows = keywordTexts(1000, 99);
function pickFor(student: ClassifierStudent) {
  const curve = coverageAgreementCurve(
    pickRows.map((input) => {
      const predictions = student.predict(input);
      return { confidence: confidenceOf(predictions), agrees: predictions[0]!.value === keywordLabel(input) };
    }),
  );
  return pickThreshold(curve, TARGET_AGREEMENT)!;
}
const picked = pickFor(classifier);
// A weak student (150 rows, 120 trained on) is unsure of many inputs: its cascade sends a real share to the teacher.
const weak = distill(keywordTexts(150, 5).map((input) => ({ input, output: keywordLabel(input) }))).classifier;
const weakPicked = pickFor(weak);
const teacher = await startFakeOpenAI({ latencyMs: 300, record: false, reply: (request) => keywordLabel(request.lastUserMessage) });
// The served student comes from memory here; in `assay serve-model` it comes from the Student table, read at most
// once a second per student (lib/distill/serve-student.ts), so the per-request path is the same. The cascade's
// teacher is the fake server at 300 ms, reached through limitedCall like a workspace's connection.
const students: StudentSource = {
  list: async () => [
    { name: "tickets", createdAt: new Date(), kind: "classifier", cascade: true },
    { name: "weak", createdAt: new Date(), kind: "classifier", cascade: true },
  ],
  find: async (name) =>
    name === "tickets" || name === "weak"
      ? {
          name,
          kind: "classifier",
          classifier: name === "tickets" ? classifier : weak,
          path: null,
          cascade: { connectionId: "bench-teacher", model: "fake-echo", threshold: (name === "tickets" ? picked : weakPicked).threshold },
          origin: "database",
        }
      : null,
  teacherTarget: async (_workspaceId, _connectionId, model) => target(teacher.url, null, model),
};
const modelsDir = await mkdtemp(path.join(os.tmpdir(), "assay-bench-distill-"));
const server = await startModelServer({ modelsDir, port: 0, students, workspaceOfKey: async (apiKey) => (apiKey === KEY ? "bench" : null) });
try {
  const probe = keywordTexts(2200, 7);
  const student = target(`${server.url}/v1`, KEY, "student:tickets");
  await latencies(student, probe.slice(0, 200)); // warm-up: JIT, the SDK client, keep-alive sockets
  const measured = await latencies(student, probe.slice(200));
  const teacherRuns = await latencies(target(teacher.url, null, "fake-echo"), probe.slice(0, 20));
  // Each cascade on 400 fresh inputs: the student answers those it is sure of, the teacher (300 ms) the rest.
  const cascadeInputs = keywordTexts(400, 123);
  async function measureCascade(name: string, student: ClassifierStudent, threshold: number) {
    const cascadeTarget = target(`${server.url}/v1`, KEY, `cascade:${name}`);
    const ms: number[] = [];
    let agreeing = 0;
    let teacherAnswered = 0;
    for (const input of cascadeInputs) {
      const started = performance.now();
      const { result } = await limitedCall(cascadeTarget, [{ role: "user", content: input }], {}, { run: null }, { maxRetries: 0, signal: new AbortController().signal });
      if (result.error) throw new Error(`cascade:${name}: ${result.error.message}`);
      ms.push(performance.now() - started);
      if (result.output === keywordLabel(input)) agreeing++;
      if (confidenceOf(student.predict(input)) < threshold) teacherAnswered++;
    }
    return { ms, agreement: agreeing / cascadeInputs.length, teacherShare: teacherAnswered / cascadeInputs.length };
  }
  const strong = await measureCascade("tickets", classifier, picked.threshold);
  const weakCascade = await measureCascade("weak", weak, weakPicked.threshold);
  const cascadeMs = strong.ms;
  const studentP50 = percentile(measured.callPath, 0.5);
  const teacherP50 = percentile(teacherRuns.callPath, 0.5);
  const cascadeP50 = percentile(cascadeMs, 0.5);
  const rowsOut = [
    ["training 5,000 examples (ms)", trainingMs, 2000],
    ["held-out agreement (exact match)", trained.metrics.exactMatch, 0.95],
    ["held-out Cohen's κ", trained.metrics.heads[0]!.kappa, 0.9],
    ["student p50 over HTTP, limitedCall (ms)", studentP50, 2],
    ["student p95 over HTTP, limitedCall (ms)", percentile(measured.callPath, 0.95), 5],
    ["student p50 over HTTP, bare fetch (ms)", percentile(measured.raw, 0.5), 2],
    ["teacher p50 (fake, 300 ms), limitedCall (ms)", teacherP50, 300],
    ["teacher p95 (fake, 300 ms), limitedCall (ms)", percentile(teacherRuns.callPath, 0.95), 300],
    ["cascade p50 at its threshold, limitedCall (ms)", cascadeP50, 2],
    ["cascade p95 at its threshold, limitedCall (ms)", percentile(cascadeMs, 0.95), 300],
    ["cascade agreement with the teacher (400 fresh)", strong.agreement, TARGET_AGREEMENT],
    ["weak student's cascade p50 (ms)", percentile(weakCascade.ms, 0.5), 300],
    ["weak student's cascade p95 (ms)", percentile(weakCascade.ms, 0.95), 300],
    ["weak student's cascade mean (ms)", weakCascade.ms.reduce((sum, value) => sum + value, 0) / weakCascade.ms.length, 300 * (1 - weakPicked.coverage)],
    ["weak student's cascade agreement (400 fresh)", weakCascade.agreement, TARGET_AGREEMENT],
    ["weak student's share sent to the teacher", weakCascade.teacherShare, 1 - weakPicked.coverage],
  ] as const;
  console.log(`bench:distill — ${trained.metrics.trainRows} training / ${trained.metrics.heldOutRows} held-out rows, ${measured.callPath.length} student calls\n`);
  console.log(`${"figure".padEnd(48)}${"measured".padStart(12)}${"target".padStart(10)}${"ratio".padStart(9)}`);
  for (const [name, value, goal] of rowsOut) {
    console.log(`${name.padEnd(48)}${value.toFixed(value < 10 ? 3 : 1).padStart(12)}${String(goal).padStart(10)}${(value / goal).toFixed(2).padStart(9)}`);
  }
  const artifactBytes = Buffer.byteLength(JSON.stringify(trained.classifier.serialize()));
  console.log(`\nstored artifact (Student.artifact JSON): ${(artifactBytes / 1024).toFixed(1)} KiB`);
  console.log(`student is ${(teacherP50 / studentP50).toFixed(0)}× faster than the teacher at p50 (same call path)`);
  console.log(
    `cascade thresholds picked for ${TARGET_AGREEMENT * 100} % agreement on 1,000 fresh rows: ${picked.threshold.toFixed(4)} (coverage ${(picked.coverage * 100).toFixed(1)} %), ` +
      `weak student ${weakPicked.threshold.toFixed(4)} (coverage ${(weakPicked.coverage * 100).toFixed(1)} %); the mean/share targets are what the pick predicts`,
  );
} finally {
  await server.close();
  await teacher.close();
  await rm(modelsDir, { recursive: true, force: true });
}
