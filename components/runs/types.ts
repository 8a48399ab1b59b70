import type {
  ResultCell,
  ResultFilter,
  ResultPage,
  ResultRow,
  RunDetail,
  RunProgress,
  RunStatus,
  RunSummaryRecord,
  VariantRecord,
  VariantSummary,
} from "@/lib/runs/types";
import type { LabelMetrics } from "@/lib/assertions/label";

// The run engine's shapes as the browser receives them: the same types, with dates as ISO strings.

export type { ResultCell, ResultFilter, ResultPage, ResultRow, RunProgress, RunStatus, VariantRecord, VariantSummary, LabelMetrics };

type Dated = "createdAt" | "startedAt" | "finishedAt";

export type RunSummaryView = Omit<RunSummaryRecord, Dated> & {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** who started the run, when the engine reports it */
  createdBy?: { name: string } | null;
};

export type RunDetailView = Omit<RunDetail, Dated> & {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  createdBy?: { name: string } | null;
};

/** Label-task metrics for one variant, computed on the server from the run's label assertions. */
export interface VariantLabelMetrics {
  variantId: string;
  metrics: LabelMetrics;
  /** results whose expected class is not one of the classes (left out of the metrics) */
  skipped: number;
}

export function isActive(status: RunStatus): boolean {
  return status === "queued" || status === "running";
}
