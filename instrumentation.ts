// Next.js calls register() once when the server starts. The web process runs a run worker by default (DESIGN.md:
// "the web process also runs a worker"); ASSAY_WORKER=off leaves the runs to `assay worker` processes. The signal
// handler (lib/runtime/shutdown.ts) is installed first: with NEXT_MANUAL_SIG_HANDLE=1 (set by `assay start`) it is
// what stops the process, after the gateway's call log is flushed and the worker has stopped.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installShutdownHandlers } = await import("@/lib/runtime/shutdown");
  installShutdownHandlers();
  const { env } = await import("@/lib/env");
  if (env.ASSAY_WORKER !== "on") return;
  const { startBackgroundWorker } = await import("@/lib/runs/background");
  await startBackgroundWorker();
}
