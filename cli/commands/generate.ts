import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

// `prisma generate` must see a DATABASE_URL, or the CLI falls back to its native engine and tries to download it.
export async function run(): Promise<number> {
  if (!existsSync("prisma/schema.prisma")) return 0;
  const result = spawnSync("npx", ["--no-install", "prisma", "generate"], {
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://assay@127.0.0.1:5432/assay" },
  });
  return result.status ?? 1;
}
