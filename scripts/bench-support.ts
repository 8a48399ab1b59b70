import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "../test/support/app-setup.ts";

// Benchmarks start the real app the way a user does (`assay start`), on free ports with a throwaway ASSAY_HOME.

export interface RunningApp {
  url: string;
  modelUrl: string;
  /** ms from spawn until /api/health answered 200 */
  healthyAfterMs: number;
  stop(): Promise<void>;
}

export async function startApp(options: { root: string; home?: string; log?: boolean } ): Promise<RunningApp> {
  const home = options.home ?? (await mkdtemp(path.join(os.tmpdir(), "assay-bench-")));
  const [port, modelPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  const started = performance.now();
  // The app's own embedded PostgreSQL under `home`, whatever the caller's environment points at.
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child: ChildProcess = spawn(process.execPath, [path.join(options.root, "bin/assay.js"), "start", "--port", String(port)], {
    cwd: options.root,
    stdio: ["ignore", options.log ? "inherit" : "ignore", options.log ? "inherit" : "pipe"],
    env: { ...inherited, ASSAY_HOME: home, ASSAY_MODEL_PORT: String(modelPort), ASSAY_PG_PORT: String(pgPort), NODE_ENV: "production" },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`assay start exited with ${child.exitCode}\n${stderr}`);
    const ok = await fetch(`${url}/api/health`).then((response) => response.status === 200, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const healthyAfterMs = performance.now() - started;
  return {
    url,
    modelUrl: `http://127.0.0.1:${modelPort}/v1`,
    healthyAfterMs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGINT");
      }),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

export function ratioLine(label: string, measured: number, target: number, unit = "ms"): string {
  const ratio = measured / target;
  const verdict = ratio <= 1 ? "meets target" : "MISSES target";
  return `${label.padEnd(44)} ${measured.toFixed(1).padStart(9)} ${unit}   target ${String(target).padStart(6)} ${unit}   ratio ${ratio.toFixed(2)}  ${verdict}`;
}
