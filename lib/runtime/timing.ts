import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";

// Phase marks for start-up work (`ASSAY_TIMING=1 npx assay eval …` prints them to stderr): where a command's time
// goes before its first model call and after its last, as milliseconds since the process started; and the event
// loop's delay over a stretch of work (a late loop stretches every latency the process measures).

const enabled = process.env.ASSAY_TIMING === "1";

export function mark(phase: string): void {
  if (enabled) process.stderr.write(`[timing] ${phase} ${performance.now().toFixed(0)} ms\n`);
}

/** This process's CPU time so far: a figure a busy machine stretches far less than wall-clock time. */
export function markCpu(): void {
  if (!enabled) return;
  const usage = process.cpuUsage();
  process.stderr.write(`[timing] cpu ${((usage.user + usage.system) / 1000).toFixed(0)} ms (user ${(usage.user / 1000).toFixed(0)}, system ${(usage.system / 1000).toFixed(0)})\n`);
}

let histogram: IntervalHistogram | null = null;

/** Starts measuring the event loop's delay (when timing is on). */
export function watchLoopDelay(): void {
  if (!enabled || histogram) return;
  histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
}

/** Prints the loop's delay since watchLoopDelay and stops measuring. */
export function reportLoopDelay(what: string): void {
  if (!histogram) return;
  histogram.disable();
  const ms = (nanoseconds: number) => (nanoseconds / 1e6).toFixed(1);
  process.stderr.write(
    `[timing] event-loop delay during ${what}: p50 ${ms(histogram.percentile(50))} ms, p99 ${ms(histogram.percentile(99))} ms, max ${ms(histogram.max)} ms (5 ms resolution)\n`,
  );
  histogram = null;
}
