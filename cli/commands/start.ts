import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../../lib/runtime/database.ts";
import { ensureBuild } from "../../lib/runtime/build.ts";
import { displayUrl, localAddress } from "../../lib/runtime/listen-address.ts";
import { isLoopbackHost } from "../../lib/net/outbound-policy.ts";
import { configuredExposure, discardSetupToken, issueSetupToken, setupTokenRequired } from "../../lib/workspaces/setup-token.ts";

// `assay start` (what `npm start` runs): PostgreSQL (embedded unless DATABASE_URL), migrations, the demo seed on first
// run, a build when none is current, then the web app (which runs a worker) and the local model server, supervised
// together. Ctrl-C stops everything it started.

const root = path.resolve(import.meta.dirname, "../..");

function log(line: string): void {
  process.stdout.write(`[assay] ${line}\n`);
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the web app exited (code ${child.exitCode}) before it was ready`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", short: "p" },
      host: { type: "string", short: "H" },
      dev: { type: "boolean", default: false },
      "no-model-server": { type: "boolean", default: false },
    },
    strict: true,
  });
  const started = performance.now();
  const { env } = await import("../../lib/env.ts");
  // env was parsed when the first module imported it; --port wins over PORT for everything started from here.
  const port = values.port ? Number(values.port) : env.PORT;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    log(`--port must be a port number, not "${values.port}"`);
    return 2;
  }
  // Loopback unless told otherwise: whoever can reach the port before an owner exists could claim the install.
  const host = (values.host ?? env.ASSAY_HOST).trim();
  if (!host || /[\s/]/.test(host)) {
    log(`--host must be an address or host name, not "${values.host}"`);
    return 2;
  }
  const exposed = !isLoopbackHost(host);
  // Behind a reverse proxy the app listens on loopback and is still reachable by others: setup needs the token then.
  const needsSetupToken = setupTokenRequired({ ...configuredExposure(), host });
  await mkdir(env.ASSAY_HOME, { recursive: true });

  const database = await openDatabase({ log: env.ASSAY_LOG_LEVEL === "debug" ? log : undefined });
  log(`${database.embedded ? "Embedded PostgreSQL" : "PostgreSQL"} ready${database.applied.length ? `, applied ${database.applied.length} migration(s)` : ""}`);

  const children: ChildProcess[] = [];
  let stopping = false;
  let demoRunStarted = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("Stopping…");
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            // Past the web process's own 10 s shutdown cap (lib/runtime/shutdown.ts), so its flush is never cut short.
            const timer = setTimeout(() => child.kill("SIGKILL"), 12_000);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
    // The demo run's enqueue started a pg-boss client in this process: stopped before the database it talks to.
    if (demoRunStarted) await (await import("../../lib/runs/queue.ts")).stopBoss();
    await database.stop();
    log("Stopped.");
    process.exit(code);
  };
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  try {
    const { seedDemo } = await import("../../lib/workspaces/seed.ts");
    const { ensureDemoModels, ensureTriageDemoModel } = await import("../../lib/local-models/demo-models.ts");
    const modelsDir = path.resolve(env.ASSAY_MODELS_DIR);
    await ensureDemoModels(modelsDir);
    await ensureTriageDemoModel(modelsDir);
    if (await seedDemo()) log("Seeded the demo workspace");

    const childEnv = { ...process.env, DATABASE_URL: database.url, PORT: String(port), ASSAY_HOST: host, NEXT_TELEMETRY_DISABLED: "1" };
    if (!values["no-model-server"]) {
      const modelServer = spawn(
        process.execPath,
        // the model server has no accounts: it stays on loopback whatever --host says
        [path.join(root, "bin/assay.js"), "serve-model", "--host", "127.0.0.1", "--port", String(env.ASSAY_MODEL_PORT), "--models-dir", modelsDir],
        { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: childEnv },
      );
      children.push(modelServer);
      modelServer.once("exit", (code) => {
        if (!stopping) log(`The local model server exited (code ${code}); the web app keeps running without it.`);
      });
    }

    if (!values.dev) await ensureBuild(root, log);
    const nextBin = path.join(root, "node_modules/next/dist/bin/next");
    // Issued before the web app listens, so the first request beyond loopback already needs it; a loopback start
    // removes a token an earlier exposed start left behind.
    const { db } = await import("../../lib/db.ts");
    const setupToken = needsSetupToken && (await db.user.count()) === 0 ? await issueSetupToken(env.ASSAY_HOME) : null;
    if (!setupToken) await discardSetupToken(env.ASSAY_HOME);
    // Production: `assay serve-web`, a custom server in which the gateway answers outside Next's request pipeline
    // (docs/decisions.md); --dev keeps `next dev` (the gateway's route files under app/api/gateway/v1 serve it).
    const webArgs = values.dev
      ? [nextBin, "dev", "-p", String(port), "-H", host]
      : [path.join(root, "bin/assay.js"), "serve-web", "-p", String(port), "-H", host];
    const web = spawn(process.execPath, webArgs, {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
      // NEXT_MANUAL_SIG_HANDLE: Next leaves SIGTERM/SIGINT to lib/runtime/shutdown.ts's handler (installed by
      // serve-web and instrumentation.ts, once per process), which flushes the gateway's call log before exiting.
      env: { ...childEnv, NODE_ENV: values.dev ? "development" : "production", NEXT_MANUAL_SIG_HANDLE: "1" },
    });
    children.push(web);
    web.once("exit", (code) => {
      if (!stopping) {
        log(`The web app exited (code ${code}).`);
        void stopAll(1);
      }
    });
    await waitForHealth(`http://${localAddress(host)}:${port}/api/health`, web, 120_000);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const url = displayUrl(host, port, env.ASSAY_PUBLIC_URL);
    log(`Assay is ready on ${url}${exposed ? ` (listening on ${host})` : ""} (${seconds} s). Press Ctrl-C to stop.`);
    if (exposed && !env.ASSAY_PUBLIC_URL) {
      log("ASSAY_PUBLIC_URL is not set: browsers that open Assay at another URL than the one above cannot sign in or save (their requests are refused as cross-site).");
    }
    if (setupToken) {
      log("No owner yet, and Assay is reachable from the network: setup needs this one-time token.");
      log(`Open ${url}/setup?token=${setupToken}`);
    }
    if (!values["no-model-server"]) {
      // In the background: the app is usable while the model server comes up and the web's worker runs the cells.
      void (async () => {
        const { startDemoRun, waitForModelServer } = await import("../../lib/workspaces/demo-run.ts");
        const { localModelServerUrl } = await import("../../lib/workspaces/seed.ts");
        await waitForModelServer(localModelServerUrl(), 60_000);
        demoRunStarted = true;
        const demoRun = await startDemoRun();
        // Enqueued: the web process's worker runs it; this process needs no pg-boss client of its own any more.
        await (await import("../../lib/runs/queue.ts")).stopBoss();
        if (!demoRun) return;
        log("Started the demo run (support-triage v1 vs v2 on the local model); it finishes in the background.");
        const { runProgress } = await import("../../lib/runs/progress.ts");
        const { ENDED } = await import("../../lib/runs/wait.ts");
        for (const deadline = Date.now() + 600_000; Date.now() < deadline && !stopping; ) {
          const progress = await runProgress(demoRun.runId);
          if (ENDED.has(progress.status)) {
            const after = ((performance.now() - started) / 1000).toFixed(1);
            log(`The demo run ${progress.status}: ${progress.done}/${progress.total} cells, ${progress.errors} errors (${after} s after start).`);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      })().catch((error: unknown) => {
        if (!stopping) log(`The demo run: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  } catch (error) {
    log(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(1);
    return 1;
  }
  await new Promise(() => {});
  return 0;
}
