import { Semaphore } from "./semaphore.ts";

// The calls in flight per connection in this process, shared by everything that calls a model through
// limited-call.ts — run cells, the run's llm-rubric judge, the pairwise judge, ablations — so a judge started beside a
// run does not get a second allowance of the connection's concurrency. (RPM and TPM are shared across processes
// through the database, see rate-limit.ts.)

export interface ConcurrencyLimit {
  /** what the limit is counted against: the connection id, or the base URL of an inline target */
  limitKey: string;
  /** calls in flight at once; null or 0 when unlimited */
  concurrency: number | null;
}

const semaphores = new Map<string, Semaphore>();

/** The connection's semaphore, created on first use; null when the connection has no concurrency limit. */
export function connectionSemaphore(limit: ConcurrencyLimit): Semaphore | null {
  if (limit.concurrency === null || limit.concurrency <= 0) return null;
  let semaphore = semaphores.get(limit.limitKey);
  if (!semaphore) {
    semaphore = new Semaphore(limit.concurrency);
    semaphores.set(limit.limitKey, semaphore);
  } else if (semaphore.inUse === 0 && semaphore.waiting === 0) {
    // An edited connection's new limit applies once nothing holds or waits for the old one.
    semaphore.resize(limit.concurrency);
  }
  return semaphore;
}
