import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { openDatabase } from "../../lib/runtime/database.ts";

// assay db migrate | migrate-dev --name <name> | seed
export async function run(argv: string[]): Promise<number> {
  const [task, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { name: { type: "string" } }, strict: true });
  if (!task || !["migrate", "migrate-dev", "seed"].includes(task)) {
    process.stderr.write("Usage: assay db migrate | migrate-dev --name <name> | seed\n");
    return 2;
  }
  const database = await openDatabase();
  try {
    if (task === "migrate") {
      process.stdout.write(database.applied.length ? `Applied: ${database.applied.join(", ")}\n` : "Up to date.\n");
    } else if (task === "migrate-dev") {
      if (!values.name) {
        process.stderr.write("migrate-dev needs --name <migration_name>\n");
        return 2;
      }
      const result = spawnSync("npx", ["--no-install", "prisma", "migrate", "dev", "--name", values.name], {
        stdio: "inherit",
        env: { ...process.env, DATABASE_URL: database.url },
      });
      return result.status ?? 1;
    } else {
      const { seedDemo } = await import("../../lib/workspaces/seed.ts");
      process.stdout.write((await seedDemo()) ? "Seeded the demo workspace.\n" : "Already seeded.\n");
    }
    return 0;
  } finally {
    const { db } = await import("../../lib/db.ts");
    await db.$disconnect();
    await database.stop();
  }
}
