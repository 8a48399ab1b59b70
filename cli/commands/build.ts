import path from "node:path";
import { ensureBuild } from "../../lib/runtime/build.ts";

// `assay build`: the Next.js build `assay start` would make, stamped with the hash of its inputs, so a start on the
// same files (the container image's) finds it current. The Dockerfile's build stage runs it.

const root = path.resolve(import.meta.dirname, "../..");

export async function run(): Promise<number> {
  const outcome = await ensureBuild(root, (line) => process.stdout.write(`[assay] ${line}\n`));
  process.stdout.write(`[assay] build ${outcome === "current" ? "already current" : "done"}\n`);
  return 0;
}
