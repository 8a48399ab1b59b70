import { Worker } from "node:worker_threads";

// The release monitor computes every running release's figures every 2 s: sorting and ranking tens of thousands of
// latencies, reading them from the database. On the web process's event loop that work stalled gateway answers by
// 30–60 ms (bench:gateway p99 28 ms with it, 9 ms without), so `assay serve-web` runs it in a worker thread of its
// own: same process, same database, its own event loop. instrumentation.ts then leaves it out (MONITOR_THREAD_ENV).

export const MONITOR_THREAD_ENV = "ASSAY_RELEASE_MONITOR_THREAD";
const RESTART_MS = 5_000;
const STOP_WAIT_MS = 5_000;

export interface MonitorThread {
  stop(): Promise<void>;
}

export function startMonitorThread(log: (line: string) => void = (line) => process.stderr.write(`[release-monitor] ${line}\n`)): MonitorThread {
  let stopping = false;
  let worker: Worker;
  let restartTimer: NodeJS.Timeout | null = null;
  const spawn = () => {
    worker = new Worker(new URL("./monitor-thread-entry.mjs", import.meta.url));
    worker.on("error", (error) => log(`the monitor thread failed: ${error.message}`));
    worker.on("exit", (code) => {
      if (stopping) return;
      log(`the monitor thread exited (code ${code}); starting it again in ${RESTART_MS / 1000} s`);
      restartTimer = setTimeout(spawn, RESTART_MS);
      restartTimer.unref();
    });
  };
  spawn();
  process.env[MONITOR_THREAD_ENV] = "1";
  return {
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const current = worker;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void current.terminate().then(() => resolve()), STOP_WAIT_MS);
        current.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        current.once("message", (message) => {
          if (message === "stopped") void current.terminate();
        });
        current.postMessage("stop");
      });
    },
  };
}
