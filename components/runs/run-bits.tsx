import { formatCount } from "@/lib/format";
import type { RunProgress, RunStatus } from "./types";

// Small pieces shared by the runs list and the run page.

const statusStyles: Record<RunStatus, string> = {
  queued: "bg-slate-100 text-slate-700",
  running: "bg-blue-100 text-blue-800",
  completed: "bg-emerald-100 text-emerald-800",
  cancelled: "bg-amber-100 text-amber-800",
  failed: "bg-red-100 text-red-800",
};

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge gap-1 ${statusStyles[status]}`} data-testid="run-status">
      {status === "running" && <span className="h-1.5 w-1.5 animate-pulse rounded-full bg-blue-600" aria-hidden />}
      {status}
    </span>
  );
}

/** A bar for done/total, the errored share in red. */
export function ProgressBar({ progress, size = "md" }: { progress: RunProgress; size?: "sm" | "md" }) {
  const total = Math.max(progress.total, 1);
  const ok = Math.max(0, progress.done - progress.errors) / total;
  const errors = progress.errors / total;
  const height = size === "sm" ? "h-1.5" : "h-2.5";
  const active = progress.status === "queued" || progress.status === "running";
  return (
    <div
      className={`flex w-full overflow-hidden rounded-full bg-slate-200 ${height}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={progress.total}
      aria-valuenow={progress.done}
      aria-label={`${formatCount(progress.done)} of ${formatCount(progress.total)} cells done`}
      data-testid="progress-bar"
    >
      <div className={`${active ? "bg-brand-500" : progress.status === "completed" ? "bg-emerald-500" : "bg-slate-400"} transition-[width] duration-300`} style={{ width: `${ok * 100}%` }} />
      <div className="bg-red-500 transition-[width] duration-300" style={{ width: `${errors * 100}%` }} />
    </div>
  );
}
