// `npm run bench:start`: `npm start` on a fresh clone, time until /api/health is 200 — first run (PostgreSQL initdb,
// migrations, demo seed, demo models, production build) and second run (data and build reused).
// The fresh clone gets its dependencies with `npm install --prefer-offline` first (the quick start); that time is printed but not counted.
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ratioLine, startApp } from "./bench-support.ts";

const TARGET_FIRST_MS = 180_000;
const TARGET_SECOND_MS = 8_000;
const source = path.resolve(import.meta.dirname, "..");
const dir = await mkdtemp(path.join(os.tmpdir(), "assay-clone-"));
const clone = path.join(dir, "assay");
// As root, PostgreSQL runs as the "postgres" user, which must reach its binaries inside the clone (mkdtemp gives 0700).
await chmod(dir, 0o755);
try {
  execFileSync("git", ["clone", "--quiet", source, clone]);
  const installStart = performance.now();
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: clone, stdio: "inherit" });
  console.log(`npm install on the fresh clone: ${((performance.now() - installStart) / 1000).toFixed(1)} s (not counted)`);
  const home = path.join(clone, ".assay");
  const first = await startApp({ root: clone, home });
  await first.stop();
  const second = await startApp({ root: clone, home });
  await second.stop();
  console.log(ratioLine("first npm start → /api/health 200", first.healthyAfterMs / 1000, TARGET_FIRST_MS / 1000, "s"));
  console.log(ratioLine("second npm start → /api/health 200", second.healthyAfterMs / 1000, TARGET_SECOND_MS / 1000, "s"));
} finally {
  await rm(dir, { recursive: true, force: true });
}
