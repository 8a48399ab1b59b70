import { formatCount, formatNumber } from "@/lib/format";
import type { ReleaseView } from "@/lib/releases/types";

// Where the release stands: its stages in order (rings, then the canary steps), and how far the current one has
// held — minutes and candidate calls against the hold the release asks for.

function Bar(props: { done: number; total: number; testId: string; label: string }) {
  const share = props.total > 0 ? Math.min(1, props.done / props.total) : 1;
  return (
    <div className="min-w-48 flex-1" data-testid={props.testId}>
      <div className="mb-1 text-xs text-slate-600">{props.label}</div>
      <div className="h-1.5 overflow-hidden rounded-full bg-slate-100">
        <div className={`h-full ${share >= 1 ? "bg-emerald-500" : "bg-brand-500"}`} style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

export function StageProgress({ view }: { view: ReleaseView }) {
  const live = view.state === "running" || view.state === "paused";
  const progress = view.figures.stage;
  return (
    <div className="space-y-4" data-testid="stage-progress">
      <ol className="flex flex-wrap items-center gap-1.5 text-xs" data-testid="release-stages">
        {view.stages.map((stage) => {
          const current = stage.index === view.stage && view.state !== "draft";
          const passed = stage.index < view.stage || (view.state === "promoted" && stage.index <= view.stage);
          const style = current
            ? view.state === "rolled_back"
              ? "border-red-300 bg-red-50 text-red-800"
              : "border-brand-500 bg-brand-50 font-medium text-brand-800"
            : passed
              ? "border-emerald-200 bg-emerald-50 text-emerald-800"
              : "border-slate-200 bg-white text-slate-500";
          return (
            <li key={stage.index} className="flex items-center gap-1.5">
              {stage.index > 0 && <span className="text-slate-300" aria-hidden>→</span>}
              <span className={`rounded-full border px-2.5 py-0.5 ${style}`} aria-current={current ? "step" : undefined} data-testid="release-stage-chip" data-current={current ? "yes" : "no"}>
                {passed && !current && "✓ "}
                {stage.title}
              </span>
            </li>
          );
        })}
      </ol>
      {live ? (
        <div className="flex flex-wrap items-end gap-6">
          <Bar
            testId="stage-held"
            done={progress.heldMinutes}
            total={progress.minMinutes}
            label={`Held ${formatNumber(progress.heldMinutes, progress.heldMinutes < 10 ? 1 : 0)} of ${formatNumber(progress.minMinutes, 0)} min`}
          />
          <Bar testId="stage-calls" done={progress.candidateCalls} total={progress.minCalls} label={`${formatCount(progress.candidateCalls)} of ${formatCount(progress.minCalls)} candidate calls`} />
          <span className={`badge ${progress.ready ? "bg-emerald-100 text-emerald-800" : "bg-slate-100 text-slate-600"}`} data-testid="stage-ready">
            {progress.ready ? (view.config.autoAdvance ? "ready: advances by itself" : "ready to advance") : "holding"}
          </span>
        </div>
      ) : (
        view.state === "draft" && <p className="text-sm text-slate-500">Not started: Start opens the first stage ({view.stages[0]?.title ?? "everyone"}).</p>
      )}
    </div>
  );
}
