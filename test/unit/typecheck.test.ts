import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

// The production build skips type errors (next.config.ts) so a first start stays fast; this is where they fail.
const root = path.resolve(import.meta.dirname, "../..");

it("the whole project typechecks", { timeout: 300_000 }, async () => {
  const tsc = path.join(root, "node_modules/typescript/bin/tsc");
  const result = await promisify(execFile)(process.execPath, [tsc, "--noEmit", "-p", root], { cwd: root, maxBuffer: 16 * 1024 * 1024 }).then(
    () => "",
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  expect(result).toBe("");
});
