#!/usr/bin/env node
// The `assay` command. The CLI is TypeScript. The commands CI runs (eval, runs) load from the bundle built at npm
// install (scripts/build-cli.mjs → dist/cli) while it is fresh; everything else, and those too once a source file
// changed, runs from the sources through tsx (Node 20 has no type stripping). ASSAY_TIMING=1 says which was used.
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import { BUNDLED_COMMANDS, bundleProblem } from "./cli-bundle.js";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const timing = process.env.ASSAY_TIMING === "1";
const [command, ...rest] = argv;

async function runBundled() {
  if (!command || !BUNDLED_COMMANDS.includes(command) || process.env.ASSAY_CLI_BUNDLE === "0") return undefined;
  const dir = process.env.ASSAY_CLI_DIST ? path.resolve(process.env.ASSAY_CLI_DIST) : path.join(root, "dist", "cli");
  const problem = bundleProblem(root, dir);
  if (timing) process.stderr.write(`[timing] cli ${problem ? `from sources (bundle ${problem})` : "bundled"} ${performance.now().toFixed(0)} ms\n`);
  if (problem) return undefined;
  const { run } = await import(pathToFileURL(path.join(dir, `${command}.js`)).href);
  return run(rest);
}

let code = await runBundled();
if (code === undefined) {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import(pathToFileURL(path.join(root, "cli", "main.ts")).href);
  code = await main(argv);
}
if (typeof code === "number") process.exitCode = code;
