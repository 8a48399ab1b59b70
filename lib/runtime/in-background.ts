// Work started early and awaited later (the CLI opens the database while it parses its input). A promise nobody
// awaits yet would count as an unhandled rejection if it failed first; this holds its outcome until someone asks.

export interface Background<T> {
  /** the value, or the work's own error */
  result: Promise<T>;
  /** never rejects: the outcome as a value, for callers that no longer need the work */
  settled: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;
}

export function inBackground<T>(work: Promise<T>): Background<T> {
  const settled = work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const result = settled.then((outcome) => {
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  });
  // `result` is awaited by whoever needs the value; until then its rejection is held, not reported as unhandled.
  result.catch(() => undefined);
  return { result, settled };
}
