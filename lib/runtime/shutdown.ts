import { messageOf } from "../errors.ts";

// One SIGTERM/SIGINT handler per process runs every registered hook (the gateway's call-log flush and listener, the
// run worker's stop) at once, waits for them at most SHUTDOWN_CAP_MS, then exits. `assay start` runs Next with
// NEXT_MANUAL_SIG_HANDLE=1 so Next leaves the signals to this handler instead of exiting before the flush.

export const SHUTDOWN_CAP_MS = 10_000;

type Hook = () => Promise<void> | void;

const state = globalThis as unknown as { assayShutdown?: { hooks: Map<string, Hook>; installed: boolean; stopping: Promise<void> | null } };
const shutdown = (state.assayShutdown ??= { hooks: new Map(), installed: false, stopping: null });

/** Adds (or replaces, by name) a hook run on a clean stop. */
export function registerShutdownHook(name: string, hook: Hook): void {
  shutdown.hooks.set(name, hook);
}

export function unregisterShutdownHook(name: string): void {
  shutdown.hooks.delete(name);
}

/** Runs every hook concurrently, bounded by `capMs`; a failing or late hook is logged, never blocks the others. */
export function runShutdownHooks(capMs: number = SHUTDOWN_CAP_MS, log: (line: string) => void = (line) => console.warn(line)): Promise<void> {
  shutdown.stopping ??= (async () => {
    const pending = new Set(shutdown.hooks.keys());
    const hooks = [...shutdown.hooks].map(async ([name, hook]) => {
      try {
        await hook();
      } catch (error) {
        log(`[shutdown] ${name} failed: ${messageOf(error)}`);
      } finally {
        pending.delete(name);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<"cap">((resolve) => {
      timer = setTimeout(() => resolve("cap"), capMs);
      timer.unref();
    });
    const outcome = await Promise.race([Promise.all(hooks).then(() => "done" as const), cap]);
    clearTimeout(timer);
    if (outcome === "cap") log(`[shutdown] gave up after ${capMs} ms waiting for: ${[...pending].join(", ")}`);
  })();
  return shutdown.stopping;
}

/**
 * Installs the SIGTERM/SIGINT handler once: run the hooks, then exit 0. A second signal (Ctrl+C reaches the whole
 * process group, and `assay start` forwards a SIGTERM too) joins the stop already running instead of cutting it short;
 * the cap bounds it.
 */
export function installShutdownHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
  if (shutdown.installed) return;
  shutdown.installed = true;
  const onSignal = () => {
    void runShutdownHooks().then(() => exit(0));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
