import { performance } from "node:perf_hooks";

// Phase marks for start-up work (`ASSAY_TIMING=1 npx assay eval …` prints them to stderr): where a command's time
// goes before its first model call and after its last, as milliseconds since the process started.

const enabled = process.env.ASSAY_TIMING === "1";

export function mark(phase: string): void {
  if (enabled) process.stderr.write(`[timing] ${phase} ${performance.now().toFixed(0)} ms\n`);
}
