import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureBuild } from "../../lib/runtime/build.ts";

// Browser tests run against the real `assay start` (build included) on free ports, a temporary ASSAY_HOME and the
// test database created by database-setup.ts.
declare module "vitest" {
  export interface ProvidedContext {
    appUrl: string;
    modelServerUrl: string;
    /** a folder in ASSAY_MODEL_PATHS: GGUF files may be registered by path from here */
    registeredModelsDir: string;
  }
}

const root = path.resolve(import.meta.dirname, "../..");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject) {
  await ensureBuild(root, (line) => process.stdout.write(`${line}\n`));
  const home = await mkdtemp(path.join(os.tmpdir(), "assay-e2e-home-"));
  const port = await freePort();
  const modelPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "bin/assay.js"), "start", "--port", String(port)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: project.getProvidedContext().databaseUrl,
      ASSAY_HOME: home,
      ASSAY_MODEL_PORT: String(modelPort),
      ASSAY_MODELS_DIR: path.join(home, "models"),
      ASSAY_MODEL_PATHS: path.join(home, "registered"),
      NODE_ENV: "production",
    },
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`assay start did not become ready:\n${output}`)), 300_000);
    const check = () => {
      if (output.includes("Assay is ready")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`assay start exited with ${code}:\n${output}`));
    });
  });
  const appUrl = `http://127.0.0.1:${port}`;
  project.provide("appUrl", appUrl);
  project.provide("modelServerUrl", `http://127.0.0.1:${modelPort}/v1`);
  project.provide("registeredModelsDir", path.join(home, "registered"));
  return async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(undefined);
      }, 15_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  };
}
