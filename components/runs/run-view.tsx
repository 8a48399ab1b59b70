"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { api, errorText, MEMBER_API } from "@/lib/ui/api";
import { formatCount, formatDuration, formatTime } from "@/lib/format";
import { LabelMetricsPanel } from "./label-metrics";
import { CommentThread } from "@/components/comments/comment-thread";
import { ResultsGrid } from "./results-grid";
import { ProgressBar, StatusBadge } from "./run-bits";
import { useRunProgress } from "./use-run-progress";
import { VariantSummaryTable } from "./variant-summary";
import { letterColor, variantLetters } from "./variant-editor";
import { isActive, type RunDetailView, type RunProgress, type VariantLabelMetrics } from "./types";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

const SUMMARY_REFRESH_MS = 2000;

export function RunView(props: {
  run: RunDetailView;
  labelMetrics: VariantLabelMetrics[] | null;
  canCancel: boolean;
  canResume: boolean;
  /** `?case=<key>` (an inbox link to a comment on one case): opens that case */
  initialCase?: string | null;
  /** where the run's JSON and events come from: MEMBER_API, or a share link's /api/s/<token> */
  apiBase?: string;
  /** a share link's view: no export, no links into the workspace, no compare picker */
  readOnly?: boolean;
}) {
  const apiBase = props.apiBase ?? MEMBER_API;
  const readOnly = props.readOnly ?? false;
  const inWorkspace = useWorkspacePath();
  const router = useRouter();
  const [run, setRun] = useState(props.run);
  const [restart, setRestart] = useState(0);
  const { progress: streamed, connected } = useRunProgress(run.id, props.run.progress, restart, apiBase);
  // What cancel/resume answer is shown until the stream's next event.
  const [override, setOverride] = useState<RunProgress | null>(null);
  useEffect(() => setOverride(null), [streamed]);
  const progress = override ?? streamed;
  const [refreshToken, setRefreshToken] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"cancel" | "resume" | null>(null);
  const active = isActive(progress.status);

  // Summaries and visible result rows follow the progress, at most every 2 s; once more when the run ends.
  const lastRefresh = useRef({ at: 0, done: props.run.progress.done, status: props.run.progress.status });
  useEffect(() => {
    const previous = lastRefresh.current;
    const ended = isActive(previous.status) && !isActive(progress.status);
    if (progress.done === previous.done && !ended) return;
    const wait = ended ? 0 : Math.max(0, SUMMARY_REFRESH_MS - (Date.now() - previous.at));
    const timer = setTimeout(async () => {
      lastRefresh.current = { at: Date.now(), done: progress.done, status: progress.status };
      try {
        setRun(await api<RunDetailView>(`${apiBase}/runs/${run.id}`));
        setRefreshToken((token) => token + 1);
        // Label metrics are computed on the server over every result: fetch them again once the run has ended.
        // (Not on a share link's page: a refresh there would count as another view.)
        if (ended && !readOnly) router.refresh();
      } catch (caught) {
        setError(errorText(caught));
      }
    }, wait);
    return () => clearTimeout(timer);
  }, [progress.done, progress.status, run.id, router, apiBase, readOnly]);

  async function control(action: "cancel" | "resume") {
    setBusy(action);
    setError(null);
    try {
      const next = await api<RunProgress | undefined>(`/api/runs/${run.id}/${action}`, { method: "POST", body: {} });
      if (next && typeof next.done === "number") setOverride(next);
      if (action === "resume") setRestart((count) => count + 1);
      setRun(await api<RunDetailView>(`/api/runs/${run.id}`));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(null);
    }
  }

  const missing = progress.total - progress.done;
  const canResume = props.canResume && !active && (progress.status === "cancelled" || progress.status === "failed" || missing > 0);
  const [compareA, setCompareA] = useState(run.variants[0]?.id ?? "");
  const [compareB, setCompareB] = useState(run.variants[1]?.id ?? "");

  return (
    <div className="space-y-4 p-6">
      <section className="card space-y-3 p-4" data-testid="run-progress">
        <div className="flex flex-wrap items-center gap-3">
          <StatusBadge status={progress.status} />
          <span className="text-sm tabular-nums" data-testid="progress-text">
            <strong>{formatCount(progress.done)}</strong> / {formatCount(progress.total)} cells
            <span className="text-slate-400"> · </span>
            <span className={progress.errors > 0 ? "text-red-600" : "text-slate-500"}>{formatCount(progress.errors)} errors</span>
            <span className="text-slate-400"> · </span>
            <span className="text-slate-500">{formatCount(progress.retries)} retries</span>
            {progress.cached > 0 && <span className="text-slate-500"> · {formatCount(progress.cached)} cached</span>}
          </span>
          <span className="text-sm tabular-nums text-slate-500">
            elapsed {formatDuration(progress.elapsedMs)}
            {active && <> · ETA {progress.etaMs === null ? "estimating…" : formatDuration(progress.etaMs)}</>}
          </span>
          {active && <span className={`text-[11px] ${connected ? "text-emerald-600" : "text-slate-400"}`}>{connected ? "● live" : "○ reconnecting…"}</span>}
          <span className="flex-1" />
          {props.canCancel && active && (
            <button className="btn-danger" onClick={() => control("cancel")} disabled={busy !== null} data-testid="cancel-run">{busy === "cancel" ? "Cancelling…" : "Cancel"}</button>
          )}
          {canResume && (
            <button className="btn" onClick={() => control("resume")} disabled={busy !== null} title="Run only the cells without a stored result" data-testid="resume-run">
              {busy === "resume" ? "Resuming…" : `Resume (${formatCount(missing)} missing)`}
            </button>
          )}
          {!readOnly && (
            <>
              <span className="text-xs text-slate-500">Export</span>
              {(["csv", "jsonl", "json"] as const).map((format) => (
                <a key={format} className="btn px-2 py-1 text-xs uppercase" href={`/api/runs/${run.id}/export?format=${format}`} download>{format}</a>
              ))}
            </>
          )}
        </div>
        <ProgressBar progress={progress} />
        {run.error && <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">The run failed: {run.error}</p>}
        {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
        <div className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-500">
          <span>Suite: {run.suiteId && readOnly ? run.suiteName : run.suiteId ? <Link className="text-brand-700 hover:underline" href={inWorkspace(`/suites/${run.suiteId}`)}>{run.suiteName}</Link> : <em>deleted</em>}</span>
          <span>{run.variants.length} variant{run.variants.length === 1 ? "" : "s"} × {formatCount(run.repeats === 0 ? 0 : Math.round(run.totalCells / Math.max(1, run.variants.length * run.repeats)))} cases × {run.repeats} repeat{run.repeats === 1 ? "" : "s"}</span>
          <span>concurrency {run.concurrency}</span>
          <span>cache {run.cache ? "on (cached answers are left out of latency)" : "off"}</span>
          <span>created {formatTime(run.createdAt)}{run.createdBy?.name ? ` by ${run.createdBy.name}` : ""}</span>
          {run.finishedAt && <span>finished {formatTime(run.finishedAt)}</span>}
          <details className="inline">
            <summary className="cursor-pointer hover:text-slate-800">configuration</summary>
            <pre className="mt-2 max-h-80 overflow-auto rounded bg-slate-50 p-2 font-mono text-[11px] text-slate-700">{JSON.stringify(run.config, null, 2)}</pre>
          </details>
        </div>
      </section>

      <VariantSummaryTable runId={run.id} variants={run.variants} readOnly={readOnly} />

      {run.variants.length >= 2 && !readOnly && (
        <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="compare-picker">
          <span className="text-slate-600">Compare</span>
          <VariantSelect variants={run.variants} value={compareA} onChange={setCompareA} />
          <span className="text-slate-400">with</span>
          <VariantSelect variants={run.variants} value={compareB} onChange={setCompareB} />
          <Link
            className={`btn ${compareA === compareB ? "pointer-events-none opacity-50" : ""}`}
            href={inWorkspace(`/compare?run=${run.id}&a=${compareA}&b=${compareB}`)}
            data-testid="compare-link"
          >
            ⇄ Compare A/B
          </Link>
        </div>
      )}

      {props.labelMetrics && props.labelMetrics.length > 0 && <LabelMetricsPanel metrics={props.labelMetrics} variants={run.variants} />}

      <ResultsGrid runId={run.id} variants={run.variants} refreshToken={refreshToken} apiBase={apiBase} initialCase={props.initialCase ?? null} comments={!readOnly} />

      {/* a share link's view (readOnly) has no comments: threads are for members */}
      {!readOnly && <CommentThread targetType="run" targetId={run.id} title="Discussion of this run" />}
    </div>
  );
}

function VariantSelect(props: { variants: RunDetailView["variants"]; value: string; onChange: (value: string) => void }) {
  const index = props.variants.findIndex((variant) => variant.id === props.value);
  return (
    <span className="flex items-center gap-1">
      <span className={`flex h-5 w-5 items-center justify-center rounded text-[11px] font-bold text-white ${letterColor(Math.max(0, index))}`}>{variantLetters[Math.max(0, index)]}</span>
      <select className="input w-64! py-1 text-xs" value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        {props.variants.map((variant, position) => <option key={variant.id} value={variant.id}>{variantLetters[position]} · {variant.label}</option>)}
      </select>
    </span>
  );
}
