import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { databaseUrlFor, ensureDatabase, startEmbeddedPostgres } from "../../lib/db/embedded-postgres.ts";
import { migrate } from "../../lib/db/migrate.ts";

// A real PostgreSQL for every integration and browser test: DATABASE_URL when given (a fresh database is created on
// that server), otherwise an embedded one in a temporary folder.
declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    /** a migrated database nobody connects to, copied by isolatedDatabase() */
    templateDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const name = `assay_test_${process.pid}_${project.name}`;
  let stop = async () => {};
  let url: string;
  const external = process.env.DATABASE_URL;
  if (external) {
    await ensureDatabase(external, name);
    url = databaseUrlFor(external, name);
  } else {
    const dir = await mkdtemp(path.join(os.tmpdir(), "assay-test-pg-"));
    // mkdtemp makes the folder 0700; when running as root, initdb runs as the postgres user and must reach it.
    await chmod(dir, 0o755);
    const port = 56000 + Math.floor(Math.random() * 3000);
    const handle = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port, database: name });
    url = handle.url;
    stop = () => handle.stop();
  }
  await migrate(url);
  const templateUrl = await migratedTemplate(url, `${name}_template`);
  // Provided, not put in process.env: each project (integration, e2e) has a database of its own, and the global
  // setups of all projects share this process.
  project.provide("databaseUrl", url);
  project.provide("templateDatabaseUrl", templateUrl);
  return async () => {
    await stop();
  };
}

/** Another migrated database on the same server, left without connections so CREATE DATABASE … TEMPLATE can copy it. */
async function migratedTemplate(url: string, name: string): Promise<string> {
  await ensureDatabase(url, name);
  const templateUrl = databaseUrlFor(url, name);
  await migrate(templateUrl); // closes its connection when done
  return templateUrl;
}
