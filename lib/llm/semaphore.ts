// Counting semaphores for calls in flight: one per run (its concurrency) and one per connection (the connection's
// concurrency), both per worker process. Waiters are served in arrival order; an aborted waiter leaves the queue.

export class Semaphore {
  private available: number;
  private readonly waiters: { resolve: () => void; reject: (error: unknown) => void; signal?: AbortSignal; onAbort?: () => void }[] = [];

  constructor(private limit: number) {
    this.available = limit;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  get inUse(): number {
    return this.limit - this.available;
  }

  /** A new limit applies as slots are released (a connection edited while a run goes on). */
  resize(limit: number): void {
    this.available += limit - this.limit;
    this.limit = limit;
    this.drain();
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
    if (this.available > 0 && this.waiters.length === 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: (typeof this.waiters)[number] = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal.reason ?? new Error("aborted"));
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    });
  }

  release(): void {
    this.available++;
    this.drain();
  }

  private drain(): void {
    while (this.available > 0 && this.waiters.length > 0) {
      const waiter = this.waiters.shift();
      if (!waiter) break;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
      this.available--;
      waiter.resolve();
    }
  }
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
