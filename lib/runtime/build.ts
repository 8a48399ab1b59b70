import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";

// `assay start` builds the app only when no current build exists: the build is stamped with a hash of its inputs.

const INPUT_DIRS = ["app", "lib", "components"];
// proxy.ts and instrumentation.ts are compiled into the build like app/: a change to either needs a new one
const INPUT_FILES = ["proxy.ts", "instrumentation.ts", "next.config.ts", "postcss.config.mjs", "package-lock.json", "tsconfig.json", "prisma/schema.prisma"];
const STAMP = ".next/assay-build-hash";

async function* walk(dir: string): AsyncGenerator<string> {
  if (!existsSync(dir)) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

export async function buildInputsHash(root: string): Promise<string> {
  const hash = createHash("sha256");
  const files: string[] = [];
  for (const dir of INPUT_DIRS) for await (const file of walk(path.join(root, dir))) files.push(file);
  for (const file of INPUT_FILES) if (existsSync(path.join(root, file))) files.push(path.join(root, file));
  files.sort();
  for (const file of files) {
    const info = await stat(file);
    // size + content: mtimes change on every fresh clone, contents do not
    hash.update(path.relative(root, file)).update(String(info.size)).update(await readFile(file));
  }
  return hash.digest("hex");
}

export async function buildIsCurrent(root: string): Promise<boolean> {
  const stamp = path.join(root, STAMP);
  if (!existsSync(path.join(root, ".next/BUILD_ID")) || !existsSync(stamp)) return false;
  return (await readFile(stamp, "utf8")).trim() === (await buildInputsHash(root));
}

export async function ensureBuild(root: string, log: (line: string) => void): Promise<"current" | "built"> {
  if (await buildIsCurrent(root)) return "current";
  log("Building the web app (first start, or the code changed)…");
  const hash = await buildInputsHash(root);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code})`))));
  });
  await writeFile(path.join(root, STAMP), hash);
  return "built";
}
