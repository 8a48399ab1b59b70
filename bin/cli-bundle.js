// The CLI's prebuilt bundle (scripts/build-cli.mjs writes it at npm install): plain JavaScript that Node loads without
// compiling TypeScript at run time. bin/assay.js uses it for the commands it holds, while it is fresh: every source
// file it was built from still exists and is older than the build. Anything else runs from the sources through tsx.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";

export const MANIFEST = "manifest.json";

/** Commands the bundle holds: the ones CI runs, where start-up time is paid on every job. */
export const BUNDLED_COMMANDS = ["eval", "runs"];

/**
 * Why the bundle in `dir` cannot be used for the sources under `root`, or null when it can. Costs one stat per
 * source file (a few milliseconds for the few hundred the CI commands use).
 * @param {string} root
 * @param {string} dir
 * @returns {string | null}
 */
export function bundleProblem(root, dir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), "utf8"));
  } catch (error) {
    return error.code === "ENOENT" ? "not built" : `unreadable manifest (${error.message})`;
  }
  if (typeof manifest.builtAt !== "number" || !Array.isArray(manifest.inputs)) return "unreadable manifest";
  for (const input of manifest.inputs) {
    let stats;
    try {
      stats = statSync(path.join(root, input));
    } catch {
      // Gone or unreadable: either way the bundle was built from something that is not there now.
      return `${input} is gone`;
    }
    if (stats.mtimeMs >= manifest.builtAt) return `${input} changed`;
  }
  return null;
}
