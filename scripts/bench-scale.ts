// npm run bench:scale — scale-out on a real server: Debian's PostgreSQL (the `postgresql` package, installed with apt
// when missing and this runs as root; not the embedded one), the web app and the local model server (`assay start`
// against that database, ASSAY_WORKER=off; it builds the app first when no current build exists), three
// `assay worker` processes and a fake OpenAI-compatible server in a process of its own. One run of 10,000 cells
// (5,000 cases × 2 variants) is created through the web app's API (POST /api/runs, signed in as the owner; with
// BENCH_SCALE_WEB=0, through lib/runs directly and without the web app); one worker is killed with SIGKILL mid-run. Checked:
// every worker stored a share, every (variant, case, repeat) is stored exactly once, the run completes. Printed:
// cells/s, each worker's share, how long the killed worker's chunks took to come back and finish.
//
// Which worker stored a result: each worker connects with its own application_name (PGAPPNAME), and triggers that
// exist only in this bench's database copy it next to each row (BEFORE INSERT: every row a worker tried to write,
// duplicates included — the writer's ON CONFLICT DO NOTHING drops those; AFTER INSERT: the rows stored).
//
//   BENCH_SCALE_CASES (default 5000), BENCH_SCALE_WORKERS (3), BENCH_SCALE_LATENCY_MS (20), BENCH_SCALE_KILL_AT (0.3:
//   the share of cells stored when one worker is killed; 0 kills none, for a throughput baseline)
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { startDebianPostgres, type DebianPostgres } from "./debian-postgres.ts";

const root = path.resolve(import.meta.dirname, "..");
const CASES = Number(process.env.BENCH_SCALE_CASES ?? 5_000);
const VARIANTS = 2;
const CELLS = CASES * VARIANTS;
const WORKERS = Number(process.env.BENCH_SCALE_WORKERS ?? 3);
const LATENCY_MS = Number(process.env.BENCH_SCALE_LATENCY_MS ?? 20);
const KILL_AT = Number(process.env.BENCH_SCALE_KILL_AT ?? 0.3);
const CONCURRENCY = 40;
const WITH_WEB = process.env.BENCH_SCALE_WEB !== "0";
const OWNER = { name: "Scale Owner", email: "owner@scale.test", password: "correct horse battery", workspaceName: "Scale" };

function log(line: string): void {
  process.stdout.write(`[bench:scale] ${line}\n`);
}

async function startFake(): Promise<{ url: string; stop: () => void }> {
  const code = `
    import { startFakeOpenAI } from ${JSON.stringify(path.join(root, "test/support/fake-openai-server.ts"))};
    const fake = await startFakeOpenAI({ latencyMs: ${LATENCY_MS}, record: false });
    console.log(JSON.stringify({ url: fake.url }));`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    child.stdout?.once("data", (data: Buffer) => resolve(JSON.parse(data.toString()) as { url: string }));
    child.once("exit", (exitCode) => reject(new Error(`the fake server exited (${exitCode})`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

interface Worker {
  name: string;
  child: ChildProcess;
}

function startWorker(name: string): Promise<Worker> {
  const child = spawn(process.execPath, [path.join(root, "bin/assay.js"), "worker"], {
    cwd: root,
    env: { ...process.env, PGAPPNAME: name, ASSAY_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s: ${output}`)), 60_000);
    child.stdout?.on("data", (data: Buffer) => {
      output += data.toString();
      if (output.includes("ready")) {
        clearTimeout(timer);
        resolve({ name, child });
      }
    });
    child.stderr?.on("data", (data: Buffer) => {
      output += data.toString();
      if (process.env.BENCH_SCALE_VERBOSE) process.stderr.write(`[${name}] ${data.toString()}`);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready: ${output}`));
    });
  });
}

interface Web {
  url: string;
  child: ChildProcess;
  cookie: string;
  slug: string;
}

/** `assay start` on the bench's database, signed in as a new owner. */
async function startWeb(home: string): Promise<Web> {
  const { freePort } = await import("../test/support/app-setup.ts");
  const [port, modelPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, "bin/assay.js"), "start", "--port", String(port)], {
    cwd: root,
    env: { ...process.env, ASSAY_HOME: home, ASSAY_MODEL_PORT: String(modelPort), ASSAY_WORKER: "off", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (data: Buffer) => {
    output += data.toString();
    if (data.toString().includes("Building")) log("assay start is building the web app (no current build)…");
  });
  child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`assay start exited (${child.exitCode}): ${output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`assay start was not healthy within 20 minutes: ${output.slice(-2000)}`);
    if (await fetch(`${url}/api/health`).then((response) => response.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  log(`web app and model server healthy after ${((performance.now() - started) / 1000).toFixed(1)} s (${url}, model server on ${modelPort})`);
  const setup = await fetch(`${url}/api/setup`, { method: "POST", headers: { "content-type": "application/json", origin: url }, body: JSON.stringify(OWNER) });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${await setup.text()}`);
  const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
  });
  if (!signIn.ok) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
  const cookie = signIn.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
  const { db } = await import("../lib/db.ts");
  const membership = await db.membership.findFirstOrThrow({ where: { user: { email: OWNER.email } }, include: { workspace: true } });
  return { url, child, cookie, slug: membership.workspace.slug };
}

async function api<T>(web: Web, method: string, route: string, body: unknown): Promise<T> {
  const response = await fetch(`${web.url}${route}`, {
    method,
    headers: { "content-type": "application/json", origin: web.url, cookie: web.cookie, "x-assay-workspace": web.slug },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function stopWorker(worker: Worker, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    const { child } = worker;
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

const TRIGGERS = `
  CREATE TABLE bench_result_attempt (id bigserial PRIMARY KEY, cell text NOT NULL, worker text NOT NULL);
  CREATE TABLE bench_result_origin (result_id text PRIMARY KEY, worker text NOT NULL, stored_at timestamptz NOT NULL DEFAULT clock_timestamp());
  CREATE FUNCTION bench_attempt() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    INSERT INTO bench_result_attempt (cell, worker)
      VALUES (NEW."variantId" || '/' || NEW."caseId" || '/' || NEW.repeat, current_setting('application_name'));
    RETURN NEW; END $$;
  CREATE FUNCTION bench_origin() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    INSERT INTO bench_result_origin (result_id, worker) VALUES (NEW.id, current_setting('application_name'));
    RETURN NEW; END $$;
  CREATE TRIGGER bench_attempt BEFORE INSERT ON "Result" FOR EACH ROW EXECUTE FUNCTION bench_attempt();
  CREATE TRIGGER bench_origin AFTER INSERT ON "Result" FOR EACH ROW EXECUTE FUNCTION bench_origin();`;

async function main(): Promise<number> {
  let postgres: DebianPostgres;
  try {
    postgres = await startDebianPostgres({ log });
  } catch (error) {
    log(`SKIPPED: ${error instanceof Error ? error.message : String(error)}`);
    return 0;
  }
  const workers: Worker[] = [];
  let web: Web | undefined;
  let fake: { url: string; stop: () => void } | undefined;
  let failures = 0;
  try {
    log(`${postgres.version} on port ${postgres.port} (a private cluster of Debian's package)`);
    process.env.DATABASE_URL = postgres.url;
    process.env.ASSAY_SECRET ??= "bench-scale-secret-0123456789";
    const { migrate } = await import("../lib/db/migrate.ts");
    const { applied } = await migrate(postgres.url, path.join(root, "prisma/migrations"));
    log(`migrations applied: ${applied.length}`);
    const { db } = await import("../lib/db.ts");
    if (process.env.BENCH_SCALE_TRIGGERS !== "0") for (const statement of TRIGGERS.split(/;\s*(?=CREATE)/)) await db.$executeRawUnsafe(statement);
    fake = await startFake();

    const { createConnection } = await import("../lib/connections/service.ts");
    const runs = await import("../lib/runs/service.ts");
    const { waitForRun } = await import("../lib/runs/wait.ts");
    const { stopBoss, SHARED_QUEUE } = await import("../lib/runs/queue.ts");
    let workspaceId: string;
    let connectionId: string;
    if (WITH_WEB) {
      const { mkdtemp } = await import("node:fs/promises");
      const os = await import("node:os");
      web = await startWeb(await mkdtemp(path.join(os.tmpdir(), "assay-bench-scale-")));
      workspaceId = (await db.workspace.findFirstOrThrow({ where: { slug: web.slug } })).id;
      connectionId = (
        await api<{ id: string }>(web, "POST", "/api/connections", {
          name: "fake",
          baseUrl: fake.url,
          apiKey: "sk-scale-0123456789abcdef",
          concurrency: 500,
          models: [{ name: "fake-echo" }],
        })
      ).id;
    } else {
      workspaceId = (await db.workspace.create({ data: { name: "Scale", slug: `scale-${Date.now()}` } })).id;
      connectionId = (await createConnection(workspaceId, { name: "fake", baseUrl: fake.url, concurrency: 500, models: [{ name: "fake-echo" }] })).id;
    }
    const suite = await db.suite.create({ data: { workspaceId, name: "scale" } });
    for (let start = 0; start < CASES; start += 1_000) {
      await db.case.createMany({
        data: Array.from({ length: Math.min(1_000, CASES - start) }, (_, offset) => ({
          suiteId: suite.id,
          position: start + offset,
          key: `k${start + offset}`,
          variables: { text: `n${start + offset}` },
        })),
      });
    }

    const started = await Promise.all(Array.from({ length: WORKERS }, (_, index) => startWorker(`scale-worker-${index + 1}`)));
    workers.push(...started);
    log(`${WORKERS} workers ready (${workers.map((worker) => `${worker.name} pid ${worker.child.pid}`).join(", ")})`);

    const prompt = { messages: [{ role: "user" as const, content: "Say {{ text }}" }], examples: [], counterexamples: [], exampleMode: "chat" as const };
    const t0 = performance.now();
    const runInput = {
      suiteId: suite.id,
      variants: [
        { prompt, connectionId, model: "fake-echo" },
        { prompt, connectionId, model: "fake-echo", params: { seed: 1 } },
      ],
      concurrency: CONCURRENCY,
    };
    const { id: runId } = web ? await api<{ id: string }>(web, "POST", "/api/runs", runInput) : await runs.createRun(workspaceId, null, runInput);
    log(`run ${runId} created through ${web ? "POST /api/runs on the web app" : "lib/runs createRun (BENCH_SCALE_WEB=0)"}`);
    const victim = workers[1] ?? workers[0]!;
    let killedAt = 0;
    let storedAtKill = 0;
    let killedOwn = 0;
    let killClock = new Date(0);
    for (; KILL_AT > 0; ) {
      const stored = await db.result.count({ where: { runId } });
      if (stored >= CELLS * KILL_AT) {
        victim.child.kill("SIGKILL");
        killedAt = performance.now();
        await new Promise((resolve) => victim.child.once("exit", resolve));
        // the database's clock, which pg-boss's started_on/completed_on use
        killClock = (await db.$queryRawUnsafe<{ now: Date }[]>("SELECT clock_timestamp() AS now"))[0]?.now ?? new Date();
        storedAtKill = await db.result.count({ where: { runId } });
        const own = await db.$queryRawUnsafe<{ count: bigint }[]>(`SELECT count(*) AS count FROM bench_result_origin WHERE worker = $1`, victim.name);
        killedOwn = Number(own[0]?.count ?? 0);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (KILL_AT > 0) log(`SIGKILL to ${victim.name} at ${((killedAt - t0) / 1000).toFixed(1)} s: ${storedAtKill} of ${CELLS} cells stored, ${killedOwn} of them by ${victim.name}`);
    const progress = await waitForRun(runId, { intervalMs: 200 });
    const elapsed = (performance.now() - t0) / 1000;
    log(`run ${progress.status} after ${elapsed.toFixed(1)} s`);

    const [totals] = await db.$queryRawUnsafe<{ rows: bigint; cells: bigint; errors: bigint }[]>(
      `SELECT count(*) AS rows, count(DISTINCT ("variantId", "caseId", repeat)) AS cells, count(*) FILTER (WHERE error IS NOT NULL) AS errors
       FROM "Result" WHERE "runId" = $1`,
      runId,
    );
    const shares = await db.$queryRawUnsafe<{ worker: string; stored: bigint }[]>(
      `SELECT o.worker, count(*) AS stored FROM bench_result_origin o JOIN "Result" r ON r.id = o.result_id WHERE r."runId" = $1 GROUP BY o.worker ORDER BY o.worker`,
      runId,
    );
    const [attempts] = await db.$queryRawUnsafe<{ attempted: bigint; distinct: bigint }[]>(
      `SELECT count(*) AS attempted, count(DISTINCT cell) AS distinct FROM bench_result_attempt`,
    );
    // The killed worker's chunks: those pg-boss handed out again (retry_count > 0). When they started again (the
    // lease expired: CHUNK_EXPIRE_SECONDS without a heartbeat, noticed by pg-boss's maintenance) and finished.
    const [recovered] = await db.$queryRawUnsafe<{ chunks: bigint; cells: bigint; restarted: Date | null; finished: Date | null }[]>(
      `SELECT count(*) AS chunks, coalesce(sum(jsonb_array_length(data->'cells')), 0) AS cells, min(started_on) AS restarted, max(completed_on) AS finished
       FROM pgboss.job WHERE name = $1 AND data->>'runId' = $2 AND retry_count > 0`,
      SHARED_QUEUE,
      runId,
    );

    const rows = Number(totals?.rows ?? 0);
    const distinctCells = Number(totals?.cells ?? 0);
    const errors = Number(totals?.errors ?? 0);
    const attempted = Number(attempts?.attempted ?? 0);
    const check = (ok: boolean, line: string) => {
      if (!ok) failures++;
      log(`${ok ? "ok    " : "FAILED"} ${line}`);
    };
    console.log("");
    log(`run ${progress.status}: ${CELLS} cells (${CASES} cases × ${VARIANTS} variants), ${WORKERS} workers, fake server ${LATENCY_MS} ms a call, run concurrency ${CONCURRENCY}`);
    log(`figures measured on a busy 2-core machine (other engineers' tests running): re-run quietly for clean ones`);
    log(
      `wall time ${elapsed.toFixed(1)} s → ${(CELLS / elapsed).toFixed(0)} cells/s overall` +
        (KILL_AT > 0 ? `; before the kill ${(storedAtKill / ((killedAt - t0) / 1000)).toFixed(0)} cells/s with ${WORKERS} workers` : "") +
        ` (ideal ${((WORKERS * CONCURRENCY * 1000) / LATENCY_MS).toFixed(0)} cells/s: ${WORKERS} × ${CONCURRENCY} calls in flight of ${LATENCY_MS} ms)`,
    );
    for (const share of shares) {
      const stored = Number(share.stored);
      log(`  ${share.worker.padEnd(16)} stored ${String(stored).padStart(6)} (${((100 * stored) / CELLS).toFixed(1)} %)${KILL_AT > 0 && share.worker === victim.name ? "  ← killed with SIGKILL" : ""}`);
    }
    if (KILL_AT <= 0) {
      log("no worker killed (BENCH_SCALE_KILL_AT=0)");
    } else if (recovered?.restarted && recovered.finished) {
      const killMs = killClock.getTime();
      log(
        `killed worker's chunks: ${recovered.chunks} (${recovered.cells} cells) handed out again after ${((recovered.restarted.getTime() - killMs) / 1000).toFixed(1)} s, ` +
          `all finished ${((recovered.finished.getTime() - killMs) / 1000).toFixed(1)} s after the kill (lease: 60 s without a heartbeat + pg-boss maintenance every 15 s)`,
      );
    } else {
      log("killed worker's chunks: none needed handing out again (it held none at the kill)");
    }
    log(`writes attempted ${attempted} for ${Number(attempts?.distinct ?? 0)} distinct cells: ${attempted - Number(attempts?.distinct ?? 0)} duplicate attempt(s) dropped by ON CONFLICT DO NOTHING`);
    check(progress.status === "completed" && progress.done === CELLS, `the run completed with ${progress.done} of ${CELLS} cells done (status ${progress.status})`);
    check(rows === CELLS && distinctCells === CELLS, `rows ${rows}, distinct (variant, case, repeat) ${distinctCells}: expected ${CELLS} and ${CELLS} (each cell stored exactly once)`);
    check(errors === 0, `${errors} results with an error (expected 0)`);
    check(shares.length === WORKERS && shares.every((share) => Number(share.stored) > 0), `every one of the ${WORKERS} workers stored a share (${shares.length} did)`);
    check(shares.reduce((sum, share) => sum + Number(share.stored), 0) === CELLS, "the shares add up to every cell");

    await Promise.all(workers.map((worker) => stopWorker(worker, "SIGTERM")));
    if (web) await stopWorker({ name: "web", child: web.child }, "SIGINT");
    await stopBoss();
    await db.$disconnect();
  } finally {
    await Promise.all(workers.map((worker) => stopWorker(worker, "SIGKILL")));
    if (web) await stopWorker({ name: "web", child: web.child }, "SIGINT");
    fake?.stop();
    await postgres.stop();
  }
  log(failures === 0 ? "all checks passed" : `${failures} check(s) FAILED`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
