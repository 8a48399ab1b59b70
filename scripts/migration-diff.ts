// Prints the SQL that takes the schema at `git show <rev>:prisma/schema.prisma` (default HEAD) to the working
// prisma/schema.prisma. `prisma migrate dev` and `migrate diff --from-migrations` crash in the wasm schema engine on
// this machine; a datamodel-to-datamodel diff does not, and needs only a live database (the embedded one).
// Usage: npx tsx scripts/migration-diff.ts [rev] > prisma/migrations/<timestamp>_<name>/migration.sql
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../lib/runtime/database.ts";

const revision = process.argv[2] ?? "HEAD";
const folder = mkdtempSync(path.join(tmpdir(), "assay-schema-"));
const before = path.join(folder, "before.prisma");
writeFileSync(before, execFileSync("git", ["show", `${revision}:prisma/schema.prisma`]));
process.env.ASSAY_HOME ??= path.join(folder, "home");
const database = await openDatabase();
try {
  const diff = spawnSync(
    "npx",
    ["--no-install", "prisma", "migrate", "diff", "--from-schema-datamodel", before, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
    { encoding: "utf8", env: { ...process.env, DATABASE_URL: database.url } },
  );
  process.stdout.write(diff.stdout);
  process.stderr.write(diff.stderr);
  process.exitCode = diff.status ?? 1;
} finally {
  const { db } = await import("../lib/db.ts");
  await db.$disconnect();
  await database.stop();
}
