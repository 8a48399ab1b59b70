"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { api, errorText } from "@/lib/ui/api";
import { formatCount, formatDuration, formatPercent, formatTime } from "@/lib/format";
import { ProgressBar, StatusBadge } from "./run-bits";
import { isActive, type RunStatus, type RunSummaryView } from "./types";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

const POLL_MS = 2500;
/** runs per request, as the API pages them */
const PAGE = 50;

function runDuration(run: RunSummaryView): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  return end - Date.parse(run.startedAt);
}

export function RunsList(props: { initial: RunSummaryView[]; canRun: boolean }) {
  const inWorkspace = useWorkspacePath();
  const [runs, setRuns] = useState(props.initial);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<RunStatus | "all">("all");
  const anyActive = runs.some((run) => isActive(run.status));

  const [hasOlder, setHasOlder] = useState(props.initial.length >= PAGE);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const shownCount = runs.length;

  // Progress of queued and running runs is polled; the run page itself streams it.
  useEffect(() => {
    if (!anyActive) return;
    const timer = setInterval(async () => {
      try {
        const data = await api<RunSummaryView[]>(`/api/runs?limit=${Math.min(200, Math.max(PAGE, shownCount))}`);
        setRuns((current) => [...data, ...current.slice(data.length)]);
        setError(null);
      } catch (caught) {
        setError(errorText(caught));
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [anyActive, shownCount]);

  async function loadOlder() {
    setLoadingOlder(true);
    try {
      const older = await api<RunSummaryView[]>(`/api/runs?offset=${runs.length}&limit=${PAGE}`);
      setRuns((current) => [...current, ...older.filter((run) => !current.some((item) => item.id === run.id))]);
      setHasOlder(older.length >= PAGE);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setLoadingOlder(false);
    }
  }

  const shown = status === "all" ? runs : runs.filter((run) => run.status === status);
  const counts = runs.reduce<Record<string, number>>((all, run) => ({ ...all, [run.status]: (all[run.status] ?? 0) + 1 }), {});

  return (
    <div className="space-y-4 p-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex gap-1 rounded-lg border border-slate-200 bg-white p-1 text-sm">
          {(["all", "running", "queued", "completed", "cancelled", "failed"] as const).map((item) => (
            <button
              key={item}
              className={`rounded-md px-2.5 py-1 ${status === item ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
              onClick={() => setStatus(item)}
            >
              {item} <span className="text-xs text-slate-400">{item === "all" ? runs.length : (counts[item] ?? 0)}</span>
            </button>
          ))}
        </div>
        {props.canRun && <Link href={inWorkspace("/runs/new")} className="btn-primary" data-testid="new-run">▶ New run</Link>}
      </div>
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      {runs.length === 0 ? (
        <div className="card p-10 text-center text-sm text-slate-500">
          No runs yet. A run evaluates prompt versions × models on a suite’s cases; start one from here, from a suite, or from CI with
          <code className="kbd mx-1">npx assay eval suite.yaml</code>.
        </div>
      ) : (
        <div className="card overflow-hidden">
          <table className="w-full text-sm" data-testid="runs-table">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2">Run</th>
                <th className="px-4 py-2">Status</th>
                <th className="w-64 px-4 py-2">Progress</th>
                <th className="px-4 py-2">Variants</th>
                <th className="px-4 py-2">Created</th>
                <th className="px-4 py-2 text-right">Duration</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {shown.map((run) => {
                const progress = run.progress;
                return (
                  <tr key={run.id} className="align-top hover:bg-slate-50" data-testid="run-row">
                    <td className="px-4 py-2.5">
                      <Link href={inWorkspace(`/runs/${run.id}`)} className="font-medium text-brand-700 hover:underline">{run.name || `Run ${run.id.slice(-6)}`}</Link>
                      <div className="text-xs text-slate-500">
                        {run.suiteId ? <Link href={inWorkspace(`/suites/${run.suiteId}`)} className="hover:underline">{run.suiteName}</Link> : <span className="italic">suite deleted</span>}
                        {run.repeats > 1 && ` · ×${run.repeats} repeats`}
                        {run.cache && " · cache on"}
                      </div>
                    </td>
                    <td className="px-4 py-2.5"><StatusBadge status={run.status} /></td>
                    <td className="px-4 py-2.5">
                      <ProgressBar progress={progress} size="sm" />
                      <div className="mt-1 flex justify-between text-xs tabular-nums text-slate-500">
                        <span>{formatCount(progress.done)} / {formatCount(progress.total)} ({formatPercent(progress.total ? progress.done / progress.total : 0, 0)})</span>
                        {progress.errors > 0 && <span className="text-red-600">{formatCount(progress.errors)} errors</span>}
                      </div>
                    </td>
                    <td className="px-4 py-2.5">
                      <div className="flex max-w-md flex-wrap gap-1">
                        {run.variantLabels.map((label, index) => (
                          <span key={index} className="badge max-w-56 truncate bg-slate-100 font-mono text-slate-700" title={label}>{label}</span>
                        ))}
                      </div>
                    </td>
                    <td className="px-4 py-2.5 text-slate-600">
                      {formatTime(run.createdAt)}
                      {run.createdBy?.name && <div className="text-xs text-slate-400">by {run.createdBy.name}</div>}
                    </td>
                    <td className="px-4 py-2.5 text-right tabular-nums text-slate-600">{formatDuration(runDuration(run))}</td>
                  </tr>
                );
              })}
              {shown.length === 0 && (
                <tr><td colSpan={6} className="px-4 py-6 text-center text-slate-500">No {status} runs.</td></tr>
              )}
            </tbody>
          </table>
          {hasOlder && (
            <div className="border-t border-slate-100 px-4 py-2 text-center">
              <button className="btn text-xs" onClick={loadOlder} disabled={loadingOlder}>{loadingOlder ? "Loading…" : "Show older runs"}</button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
