import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

// Applies prisma/migrations/*/migration.sql in order, recording them in Prisma's own `_prisma_migrations` table so
// `prisma migrate status` agrees. Doing it here rather than spawning the Prisma CLI saves ~3 s on every start.
// An advisory lock keeps two processes (web + worker) from migrating at once; each migration is one transaction.

const LOCK_KEY = 7_283_415_002;

export interface MigrateResult {
  applied: string[];
}

export async function migrate(databaseUrl: string, migrationsDir = path.resolve("prisma/migrations")): Promise<MigrateResult> {
  const names = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // Nearly every start finds every migration applied: one query says so, without the lock or the DDL below.
  if (await allApplied(client, names)) {
    await client.end();
    return { applied: [] };
  }
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const done = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const have = new Set(done.rows.map((row) => row.migration_name));
    for (const name of names) {
      if (have.has(name)) continue;
      const sql = await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query("COMMIT");
        applied.push(name);
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
      }
    }
  } finally {
    // A session-level advisory lock ends with its session, which client.end() below closes; a failed unlock is harmless.
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
  return { applied };
}

/** Whether every one of `names` is recorded as applied; false when the migrations table does not exist yet. */
async function allApplied(client: pg.Client, names: string[]): Promise<boolean> {
  let rows: { count: number }[];
  try {
    ({ rows } = await client.query<{ count: number }>(
      `SELECT count(DISTINCT migration_name)::int AS count FROM "_prisma_migrations"
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL AND migration_name = ANY($1::text[])`,
      [names],
    ));
  } catch (error) {
    // 42P01 undefined_table: a fresh database; the full path below creates the table.
    if ((error as { code?: string }).code === "42P01") return false;
    throw error;
  }
  return rows[0]?.count === names.length;
}
