import { existsSync } from "node:fs";
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
  /** `wait: false`: see EmbeddedHandle.stop */
  stop(options?: { wait?: boolean }): Promise<void>;
}

/** The database is running and migrated; stored keys not yet looked at (finishOpening does that). */
export type StartedDatabase = Omit<OpenDatabase, "keys">;

/**
 * DATABASE_URL when set, else the embedded PostgreSQL under ASSAY_HOME; migrations applied either way, then stored
 * API keys re-encrypted to the current format (logged when any were). Sets process.env.DATABASE_URL so `db` and child
 * processes use it.
 */
export async function openDatabase(options: { log?: (line: string) => void } = {}): Promise<OpenDatabase> {
  return finishOpening(await startDatabase(options));
}

/** Whether startDatabase is quick: an external database, or an embedded one already initialised (no initdb). */
export function databaseStartsQuickly(): boolean {
  return Boolean(process.env.DATABASE_URL) || existsSync(path.resolve(env.ASSAY_HOME, "pg", "PG_VERSION"));
}

/**
 * The first half of openDatabase: the server and the migrations. It needs only the `pg` driver, not the Prisma
 * client, so a command can start it before it has loaded (or decided) anything else.
 */
export async function startDatabase(options: { log?: (line: string) => void } = {}): Promise<StartedDatabase> {
  const external = process.env.DATABASE_URL;
  let url: string;
  let stop: OpenDatabase["stop"] = async () => {};
  if (external) {
    url = external;
  } else {
    const handle = await startEmbeddedPostgres({
      dataDir: path.resolve(env.ASSAY_HOME, "pg"),
      port: env.ASSAY_PG_PORT,
      log: options.log,
    });
    url = handle.url;
    stop = (stopOptions) => handle.stop(stopOptions);
  }
  process.env.DATABASE_URL = url;
  try {
    const { applied } = await migrate(url);
    return { url, embedded: !external, applied, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The second half of openDatabase: stored API keys re-encrypted to the current format. */
export async function finishOpening(started: StartedDatabase): Promise<OpenDatabase> {
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
  return { ...started, keys };
}
