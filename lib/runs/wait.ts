import { finishRunIfDone } from "./finish.ts";
import { runProgress } from "./progress.ts";
import { runShape } from "./shape.ts";
import type { RunProgress } from "./types.ts";

export const ENDED: ReadonlySet<string> = new Set(["completed", "cancelled", "failed"]);

/**
 * Polls a run's progress until it ends, calling `onProgress` each time. When nothing has moved for a while, asks
 * whether the run is in fact over (a chunk failed for good, or was lost), which also re-queues lost cells.
 */
export async function waitForRun(
  runId: string,
  options: {
    intervalMs?: number;
    onProgress?: (progress: RunProgress) => void;
    signal?: AbortSignal;
    /** subscribes to a nudge that looks again at once (the run's own worker in this process: it may have just ended
     * it); returns the unsubscribe */
    nudge?: (listener: () => void) => () => void;
  } = {},
): Promise<RunProgress> {
  const interval = options.intervalMs ?? 250;
  let lastDone = -1;
  let stillSince = Date.now();
  for (;;) {
    const progress = await runProgress(runId);
    options.onProgress?.(progress);
    if (ENDED.has(progress.status)) return progress;
    if (progress.done !== lastDone) {
      lastDone = progress.done;
      stillSince = Date.now();
    } else if (Date.now() - stillSince > 5_000) {
      stillSince = Date.now();
      const shape = await runShape(runId);
      if (shape) await finishRunIfDone(runId, shape.queue);
    }
    if (options.signal?.aborted) return progress;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, interval);
      const unsubscribe = options.nudge?.(done);
      function done() {
        clearTimeout(timer);
        unsubscribe?.();
        resolve();
      }
    });
  }
}
