// The run engine's public API: what route handlers, pages, the CLI and the compare screen call.
// Runs are a matrix variants × cases × repeats, executed as pg-boss jobs carrying chunks of cells (see worker.ts).

export { createRun } from "./create-run.ts";
export { cancelRun, resumeRun } from "./control.ts";
export { getRun, listRuns } from "./read-runs.ts";
export { runProgress } from "./progress.ts";
export { listResults } from "./results.ts";
export { exportResults } from "./export.ts";
export type {
  CreateRunInput,
  ExportFormat,
  ListResultsOptions,
  ResultCell,
  ResultFilter,
  ResultPage,
  ResultRow,
  RunDetail,
  RunProgress,
  RunStatus,
  RunSummaryRecord,
  VariantRecord,
  VariantSpec,
  VariantSummary,
} from "./types.ts";
