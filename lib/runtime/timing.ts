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

const spans = new Map<string, { count: number; items: number; totalMs: number; maxMs: number }>();

/** Counts one stretch of `what` (a batch of result writes, say) for reportSpans. */
export function recordSpan(what: string, ms: number, items = 1): void {
  if (!enabled) return;
  const span = spans.get(what) ?? { count: 0, items: 0, totalMs: 0, maxMs: 0 };
  span.count++;
  span.items += items;
  span.totalMs += ms;
  span.maxMs = Math.max(span.maxMs, ms);
  spans.set(what, span);
}

/** Prints what recordSpan counted. */
export function reportSpans(): void {
  for (const [what, span] of spans) {
    process.stderr.write(
      `[timing] ${what}: ${span.count} × (${span.items} items), ${span.totalMs.toFixed(0)} ms in all, longest ${span.maxMs.toFixed(0)} ms\n`,
    );
  }
  spans.clear();
}
