import { inject } from "vitest";
import pg from "pg";
import { databaseUrlFor } from "../../lib/db/embedded-postgres.ts";

// Test files that run the run engine each get a database of their own. Workers on the shared pg-boss queue take any
// run's chunks — that is the design — so two files' workers in one database would execute each other's runs (with
// the other file's master key, fake servers and cancellations). A copy of the migrated template costs well under a
// second.

export async function isolatedDatabase(label: string): Promise<string> {
  const templateUrl = inject("templateDatabaseUrl");
  const templateName = decodeURIComponent(new URL(templateUrl).pathname.slice(1));
  const name = `${templateName.replace(/_template$/, "")}_${label}_${process.pid}`.slice(0, 63);
  const admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName}"`);
        break;
      } catch (error) {
        // 55006: another file is copying the template at this very moment
        if ((error as { code?: string }).code !== "55006" || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    await admin.end();
  }
  return databaseUrlFor(templateUrl, name);
}
