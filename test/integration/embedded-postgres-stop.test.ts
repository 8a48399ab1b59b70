import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../../lib/db/embedded-postgres.ts";

// `assay eval` stops the embedded PostgreSQL without waiting for its shutdown: the next start must neither share the
// dying server nor be refused by its lock, and what was committed before the stop is still there.

let root: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: the process is gone, which is what this asks.
    return false;
  }
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "assay-pg-stop-"));
  // As root, PostgreSQL runs as the postgres user, which must reach the data folders (mkdtemp makes 0700).
  await chmod(root, 0o755);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("stopping the embedded PostgreSQL without waiting", () => {
  it("returns while the server shuts down, and a start right after waits for it and starts its own", async () => {
    const dataDir = path.join(root, "pg");
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port, database: "stoptest" });
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    await client.query("CREATE TABLE kept (value int)");
    await client.query("INSERT INTO kept VALUES (42)");
    await client.end();
    const pid = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
    expect(alive(pid)).toBe(true);

    await first.stop({ wait: false });
    // The server has taken the request: its lock says so (what another process's start reads).
    const lock = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => "gone");
    expect(lock === "gone" || lock.split("\n")[7]?.trim() === "stopping").toBe(true);

    const second = await startEmbeddedPostgres({ dataDir, port, database: "stoptest" });
    try {
      expect(second.owned).toBe(true);
      expect(alive(pid)).toBe(false);
      const again = new pg.Client({ connectionString: second.url });
      await again.connect();
      const { rows } = await again.query<{ value: number }>("SELECT value FROM kept");
      await again.end();
      expect(rows).toEqual([{ value: 42 }]);
    } finally {
      await second.stop();
    }
  });
});
