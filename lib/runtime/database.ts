import path from "node:path";
import { env } from "../env.ts";
import { startEmbeddedPostgres } from "../db/embedded-postgres.ts";
import { migrate } from "../db/migrate.ts";
import type { ReencryptionReport } from "../connections/reencrypt-keys.ts";

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  applied: string[];
  /** stored API keys moved from the v1 to the v2 format by this start */
  keys: ReencryptionReport;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when set, else the embedded PostgreSQL under ASSAY_HOME; migrations applied either way, then stored
 * API keys re-encrypted to the current format (logged when any were). Sets process.env.DATABASE_URL so `db` and child
 * processes use it.
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
  // Loaded here, not at the top: it brings the Prisma client, which nothing before this point needs.
  const { reencryptLegacyKeys } = await import("../connections/reencrypt-keys.ts");
  const keys = await reencryptLegacyKeys();
  if (keys.reencrypted > 0) console.info(`[keys] Re-encrypted ${keys.reencrypted} stored API key(s), now bound to their connection.`);
  if (keys.unreadable.length > 0) {
    console.warn(
      `[keys] ${keys.unreadable.length} stored API key(s) cannot be read with this master key and were left as they are: ` +
        `${keys.unreadable.join(", ")}. Start with the master key they were saved under, or enter those keys again.`,
    );
  }
  return { url, embedded: !external, applied, keys, stop };
}
