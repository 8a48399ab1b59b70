// A private cluster of Debian's PostgreSQL (the `postgresql` package, not the embedded one): initdb in a temporary
// folder, started with pg_ctl on a free port, as the `postgres` user when this process is root (PostgreSQL refuses
// to run as root). For benches and smoke tests of "a real server".
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface DebianPostgres {
  url: string;
  version: string;
  port: number;
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<n>/bin, or null when the package is not installed. */
export function debianPostgresBin(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((name) => existsSync(path.join(base, name, "bin/pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : null;
}

/** Installs Debian's postgresql with apt when it is missing and this process may (root with apt-get). */
export function ensureDebianPostgres(log: (line: string) => void): string {
  const found = debianPostgresBin();
  if (found) return found;
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) {
    throw new Error("Debian's PostgreSQL is not installed (apt-get install postgresql), and this process cannot install it (not root, or no apt-get)");
  }
  log("installing Debian's postgresql with apt-get…");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "postgresql"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  const installed = debianPostgresBin();
  if (!installed) throw new Error("apt-get install postgresql finished, but no /usr/lib/postgresql/<version>/bin/pg_ctl exists");
  return installed;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function run(bin: string, args: string[], identity: { uid?: number; gid?: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...identity, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C.UTF-8" } });
    let output = "";
    child.stdout.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(bin)} ${args.join(" ")} failed (exit ${code}): ${output.trim()}`))));
  });
}

export async function startDebianPostgres(options: { log?: (line: string) => void; settings?: Record<string, string> } = {}): Promise<DebianPostgres> {
  const log = options.log ?? (() => undefined);
  const bin = ensureDebianPostgres(log);
  const identity: { uid?: number; gid?: number } = {};
  const folder = await mkdtemp(path.join(os.tmpdir(), "assay-debian-pg-"));
  if (process.getuid?.() === 0) {
    identity.uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    identity.gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    await chown(folder, identity.uid, identity.gid);
  }
  const dataDir = path.join(folder, "data");
  const port = await freePort();
  await run(path.join(bin, "initdb"), ["-D", dataDir, "-U", "assay", "--auth=trust", "-E", "UTF8"], identity);
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: folder, max_connections: "200", ...options.settings };
  const serverOptions = [`-p ${port}`, ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`)].join(" ");
  await run(path.join(bin, "pg_ctl"), ["-D", dataDir, "-o", serverOptions, "-l", path.join(folder, "server.log"), "-w", "start"], identity);
  await run(path.join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "assay", "assay"], identity);
  const version = (await run(path.join(bin, "postgres"), ["--version"], identity)).trim();
  let stopped = false;
  return {
    url: `postgresql://assay@127.0.0.1:${port}/assay`,
    version,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"], identity);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
