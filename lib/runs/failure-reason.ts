// Why a result failed, in one sentence, the same in the results grid, the export and compare: the call's error (kind,
// HTTP status, message), else the reasons of the assertions that failed, else — a result marked failed with no
// failing assertion on record — a plain "did not pass". Null when the result did not fail. Pure and free of server
// imports, so client components use it too.

export interface FailureSource {
  pass: boolean | null;
  /** ErrorInfo as stored ({ kind, message, status? }), or anything else a JSON column held */
  error: unknown;
  /** AssertionOutcome[] as stored */
  assertions: unknown;
}

interface StoredError {
  kind?: unknown;
  message?: unknown;
  status?: unknown;
}

interface StoredOutcome {
  type?: unknown;
  pass?: unknown;
  reason?: unknown;
}

/** The error part alone: "rate_limit 429: Rate limit reached", or null when there was no error. */
export function errorReason(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  if (typeof error !== "object") return String(error);
  const { kind, message, status } = error as StoredError;
  const head = [typeof kind === "string" && kind ? kind : "error", typeof status === "number" ? String(status) : null].filter(Boolean).join(" ");
  return typeof message === "string" && message ? `${head}: ${message}` : head;
}

export function failureReason(result: FailureSource): string | null {
  const error = errorReason(result.error);
  if (error) return error;
  const outcomes = Array.isArray(result.assertions) ? (result.assertions as StoredOutcome[]) : [];
  const failing = outcomes
    .filter((outcome) => outcome && typeof outcome === "object" && outcome.pass === false)
    .map((outcome) => (typeof outcome.reason === "string" && outcome.reason ? outcome.reason : `${typeof outcome.type === "string" ? outcome.type : "assertion"} failed`));
  if (failing.length > 0) return failing.join("; ");
  return result.pass === false ? "did not pass" : null;
}
