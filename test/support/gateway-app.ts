import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { createGatewayKey } from "../../lib/gateway/keys.ts";
import type { PrismaClient } from "../../lib/generated/prisma/client.ts";
import { completeConfig, releaseConfigInput } from "../../lib/releases/schema.ts";
import { freePort } from "./app-setup.ts";

// The real app (`assay start`) on a database of the caller's choosing, and a seeded gateway world: a workspace, a
// connection to a fake upstream, a prompt with a `production` label and a candidate version, a gateway key and a
// running canary. Shared by the kill -9 test (test/e2e/gateway-crash.test.ts) and `npm run bench:gateway`.

const root = path.resolve(import.meta.dirname, "../..");

export interface GatewayWorld {
  workspaceId: string;
  promptName: string;
  releaseId: string;
  key: string;
  stableVersionId: string;
  candidateVersionId: string;
}

export async function seedGatewayWorld(
  db: PrismaClient,
  options: { upstreamUrl: string; model?: string; canaryPercent: number; slug?: string },
): Promise<GatewayWorld> {
  const slug = options.slug ?? `gw-${Date.now().toString(36)}`;
  const model = options.model ?? "fake-echo";
  const workspace = await db.workspace.create({ data: { name: "Gateway", slug } });
  const connection = await db.connection.create({
    data: { workspaceId: workspace.id, name: "Upstream", baseUrl: options.upstreamUrl, concurrency: 1000, models: { create: [{ name: model, inputPricePerM: 1, outputPricePerM: 2 }] } },
  });
  const prompt = await db.prompt.create({ data: { workspaceId: workspace.id, name: "support-reply" } });
  const version = (number: number, text: string) => ({
    promptId: prompt.id,
    number,
    messages: [{ role: "user", content: `${text} {{question}}` }],
    examples: [],
    counterexamples: [],
    params: { temperature: 0 },
    model,
    connectionId: connection.id,
  });
  const stable = await db.promptVersion.create({ data: version(1, "Answer briefly:") });
  const candidate = await db.promptVersion.create({ data: version(2, "Answer briefly and kindly:") });
  await db.promptLabel.create({ data: { promptId: prompt.id, name: "production", versionId: stable.id } });
  const created = createGatewayKey();
  await db.gatewayKey.create({ data: { workspaceId: workspace.id, name: "bench", keyHash: created.keyHash, prefix: created.prefix } });
  // A canary held at one step: no automatic advance, a hold no traffic here reaches.
  const config = completeConfig(
    releaseConfigInput.parse({ steps: [options.canaryPercent, 100], autoAdvance: false, hold: { minMinutes: 10_000, minCalls: 10_000_000 } }),
    2,
  );
  const now = new Date();
  const release = await db.release.create({
    data: {
      workspaceId: workspace.id,
      promptId: prompt.id,
      mode: "canary",
      state: "running",
      salt: "5eed5eed5eed5eed",
      config: config as object,
      stage: 0,
      stageStartedAt: now,
      startedAt: now,
      arms: {
        create: [
          { name: "stable", versionId: stable.id, position: 0 },
          { name: "candidate", versionId: candidate.id, position: 1 },
        ],
      },
    },
  });
  return { workspaceId: workspace.id, promptName: prompt.name, releaseId: release.id, key: created.key, stableVersionId: stable.id, candidateVersionId: candidate.id };
}

export interface AssayProcess {
  url: string;
  child: ChildProcess;
  /** the Next.js server process (the web process) under `assay start` */
  webPid(): number;
  /** resolves when `assay start` has exited */
  exited: Promise<void>;
  output(): string;
}

/** `assay start` on `databaseUrl`, its own ASSAY_HOME and free ports; resolves when it says it is ready. */
export async function startAssay(options: { databaseUrl: string; home: string; port?: number; env?: Record<string, string> }): Promise<AssayProcess> {
  const port = options.port ?? (await freePort());
  const modelPort = await freePort();
  const child = spawn(process.execPath, [path.join(root, "bin/assay.js"), "start", "--port", String(port), "--no-model-server"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      ASSAY_HOME: options.home,
      ASSAY_MODEL_PORT: String(modelPort),
      ASSAY_MODELS_DIR: path.join(options.home, "models"),
      NODE_ENV: "production",
      ...options.env,
    },
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`assay start did not become ready:\n${output}`)), 180_000);
    const check = () => {
      if (output.includes("Assay is ready")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`assay start exited with ${child.exitCode}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    exited,
    output: () => output,
    webPid: () => {
      const web = descendants(child.pid as number).filter((pid) => /next|serve-web/.test(cmdline(pid)));
      const last = web.at(-1);
      if (last === undefined) throw new Error(`no Next.js process under assay start (${child.pid})`);
      return last;
    },
  };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    // the process ended between the listing and this read: it is no candidate
    return "";
  }
}

/** Every process below `pid`, parents before children. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")"
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // gone already
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    for (const [child, parent] of parentOf) {
      if (parent === current) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** VmHWM (peak resident set) of a process, in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export interface GatewayAnswer {
  status: number;
  callId: string | null;
  arm: string | null;
  release: string | null;
  /** ms from sending to the last byte */
  latencyMs: number;
  /** performance.now() when the answer ended */
  endedAt: number;
  error: string | null;
}

/**
 * One streamed chat completion (with usage) over a keep-alive agent: through the gateway when `key` is given, or the
 * same body straight to the upstream.
 */
export function chatRequest(
  agent: http.Agent,
  base: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GatewayAnswer> {
  const url = new URL(`${base.replace(/\/$/, "")}/chat/completions`);
  const payload = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          const endedAt = performance.now();
          const ok = (response.statusCode ?? 0) < 400 && (!body.stream || text.includes("[DONE]"));
          resolve({
            status: response.statusCode ?? 0,
            callId: (response.headers["x-assay-call-id"] as string | undefined) ?? null,
            arm: (response.headers["x-assay-arm"] as string | undefined) ?? null,
            release: (response.headers["x-assay-release"] as string | undefined) ?? null,
            latencyMs: endedAt - started,
            endedAt,
            error: ok ? null : `${response.statusCode}: ${text.slice(0, 300)}`,
          });
        });
        response.on("error", (error) => resolve({ status: 0, callId: null, arm: null, release: null, latencyMs: performance.now() - started, endedAt: performance.now(), error: error.message }));
      },
    );
    request.on("error", (error) => resolve({ status: 0, callId: null, arm: null, release: null, latencyMs: performance.now() - started, endedAt: performance.now(), error: error.message }));
    request.end(payload);
  });
}

/** The body an application sends through the gateway for `world`: its prompt by name, the variable, a sticky user. */
export function gatewayBody(world: GatewayWorld, user: string, question: string): Record<string, unknown> {
  return { model: world.promptName, metadata: { question }, user, stream: true, stream_options: { include_usage: true } };
}

export interface Traffic {
  /** answers so far, in the order they ended */
  answers: GatewayAnswer[];
  /** stops sending and waits for the requests in flight */
  stop(): Promise<GatewayAnswer[]>;
}

/** An open-loop stream: request i leaves at start + i / rate, whatever the earlier ones are doing. */
export function steadyTraffic(rate: number, send: (index: number) => Promise<GatewayAnswer>): Traffic {
  const answers: GatewayAnswer[] = [];
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  let sent = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    while (start + (sent * 1000) / rate <= now) {
      const request = send(sent++).then((answer) => void answers.push(answer));
      pending.add(request);
      void request.finally(() => pending.delete(request));
    }
    setTimeout(tick, 2);
  };
  tick();
  return {
    answers,
    async stop() {
      stopped = true;
      await Promise.all([...pending]);
      return answers;
    },
  };
}
