import path from "node:path";
import { env } from "../env.ts";
import { startEmbeddedPostgres } from "../db/embedded-postgres.ts";
import { migrate } from "../db/migrate.ts";

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  applied: string[];
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when set, else the embedded PostgreSQL under ASSAY_HOME; migrations applied either way. Sets
 * process.env.DATABASE_URL so `db` and child processes use it.
 */
export async function openDatabase(options: { log?: (line: string) => void } = {}): Promise<OpenDatabase> {
  const external = process.env.DATABASE_URL;
  let url: string;
  let stop = async () => {};
  if (external) {
    url = external;
  } else {
    const handle = await startEmbeddedPostgres({
      dataDir: path.resolve(env.ASSAY_HOME, "pg"),
      port: env.ASSAY_PG_PORT,
      log: options.log,
    });
    url = handle.url;
    stop = () => handle.stop();
  }
  process.env.DATABASE_URL = url;
  const { applied } = await migrate(url);
  return { url, embedded: !external, applied, stop };
}
