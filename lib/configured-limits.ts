import { env } from "./env.ts";

// The limits an operator may change (lib/env.ts, the README's configuration table); the fixed ones are in limits.ts.
export const configuredLimits = {
  /** a JSON request body, in bytes (ASSAY_MAX_BODY) */
  jsonBodyBytes: env.ASSAY_MAX_BODY,
  /** an uploaded case file, in bytes (ASSAY_MAX_IMPORT_BYTES) */
  importBytes: env.ASSAY_MAX_IMPORT_BYTES,
  /** cases in one uploaded file (ASSAY_MAX_IMPORT_ROWS) */
  importRows: env.ASSAY_MAX_IMPORT_ROWS,
  /** runs queued or running at once in one workspace (ASSAY_MAX_ACTIVE_RUNS) */
  activeRuns: env.ASSAY_MAX_ACTIVE_RUNS,
  /** model calls in flight at once for one workspace, per worker process (ASSAY_MAX_CELLS_IN_FLIGHT) */
  cellsInFlight: env.ASSAY_MAX_CELLS_IN_FLIGHT,
} as const;
