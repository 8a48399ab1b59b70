import { RunWorker } from "./worker.ts";
import { messageOf } from "../errors.ts";
import { registerShutdownHook } from "../runtime/shutdown.ts";

// The worker inside the web process. Started once per process (Next's dev server may call register() again after a
// reload); a failure to start is logged, not fatal: the web app works, and `assay worker` can run the queue.

const globalForWorker = globalThis as unknown as { assayWorker?: RunWorker };

export async function startBackgroundWorker(): Promise<RunWorker | null> {
  if (globalForWorker.assayWorker) return globalForWorker.assayWorker;
  if (!process.env.DATABASE_URL) return null;
  const worker = new RunWorker({ log: (line) => console.warn(`[runs] ${line}`) });
  globalForWorker.assayWorker = worker;
  try {
    await worker.start();
  } catch (error) {
    globalForWorker.assayWorker = undefined;
    console.error(`[runs] the run worker did not start: ${messageOf(error)}`);
    return null;
  }
  // Stopped by the process's one signal handler (lib/runtime/shutdown.ts), which waits for it before exiting.
  registerShutdownHook("run worker", () => worker.stop());
  // Distillations (issue #12): their pg-boss jobs wait for the teacher run, then train and measure.
  const { DistillWorker } = await import("../distill/jobs.ts");
  const distill = new DistillWorker((line) => console.warn(`[distill] ${line}`));
  try {
    await distill.start();
    registerShutdownHook("distillation worker", () => distill.stop());
  } catch (error) {
    console.error(`[distill] the distillation worker did not start: ${messageOf(error)}`);
  }
  return worker;
}
