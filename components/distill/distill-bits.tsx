import type { DistillationState, DistillationView } from "@/lib/distill/types";
import { formatCount, formatNumber, formatPercent } from "@/lib/format";

// Small pieces shared by the distillations list and the distillation page.

const STATE_STYLE: Record<DistillationState, string> = {
  collecting: "bg-blue-100 text-blue-800",
  training: "bg-blue-100 text-blue-800",
  measuring: "bg-blue-100 text-blue-800",
  done: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-slate-200 text-slate-700",
};

export const STATE_NAMES: Record<DistillationState, string> = {
  collecting: "collecting teacher outputs",
  training: "training",
  measuring: "measuring",
  done: "done",
  failed: "failed",
  cancelled: "cancelled",
};

export function DistillationStateBadge({ state }: { state: DistillationState }) {
  const active = state === "collecting" || state === "training" || state === "measuring";
  return (
    <span className={`badge gap-1 ${STATE_STYLE[state]}`} data-testid="distillation-state" data-state={state}>
      {active && <span className="h-1.5 w-1.5 animate-pulse rounded-full bg-blue-600" aria-hidden />}
      {STATE_NAMES[state]}
    </span>
  );
}

/** "sentiment v3 × OpenAI / gpt-4o-mini" (the label, when the teacher was given by one, in parentheses). */
export function teacherText(view: Pick<DistillationView, "teacher">): string {
  const teacher = view.teacher;
  const version = teacher.versionNumber === null ? "" : ` v${teacher.versionNumber}`;
  const label = teacher.label ? ` (${teacher.label})` : "";
  const connection = teacher.connectionName ? `${teacher.connectionName} / ` : "";
  return `${teacher.promptName ?? "deleted prompt"}${version}${label} × ${connection}${teacher.model}`;
}

export const KIND_NAMES = { classifier: "classifier", lm: "language model" } as const;

/** One line of progress for the state: teacher calls done, epochs trained, or nothing. */
export function progressText(view: DistillationView): string | null {
  if (view.state === "collecting" && view.teacherRun) {
    const run = view.teacherRun;
    return `${formatCount(run.done)} of ${formatCount(run.total)} teacher calls${run.failed > 0 ? `, ${formatCount(run.failed)} failed` : ""}`;
  }
  if (view.state === "training") {
    const last = view.loss.at(-1);
    return last ? `epoch ${formatCount(last.epoch)}, loss ${formatNumber(last.loss, 3)}` : "starting";
  }
  if (view.state === "measuring") return "latency and the cascade curve";
  return null;
}

export function ProgressBar(props: { done: number; total: number; testId?: string }) {
  const share = props.total > 0 ? Math.min(1, props.done / props.total) : 0;
  return (
    <div className="h-2 w-full overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-valuemin={0} aria-valuemax={props.total} aria-valuenow={props.done} aria-label={formatPercent(share, 0)} data-testid={props.testId}>
      <div className="h-full rounded-full bg-brand-600 transition-all" style={{ width: `${share * 100}%` }} />
    </div>
  );
}
