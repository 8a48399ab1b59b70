"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ComparableRun } from "@/lib/compare/service";
import { LetterBadge } from "./variant-chip";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// Choosing what to compare: variants of one run, or of runs on the same suite (cases are matched by key). The first
// variant picked is the baseline (A) every other is compared with.

function formatDate(iso: string): string {
  return new Date(iso).toLocaleString("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" });
}

export function ComparePicker({ runs, canRun }: { runs: ComparableRun[]; canRun: boolean }) {
  const inWorkspace = useWorkspacePath();
  const router = useRouter();
  const [picked, setPicked] = useState<{ id: string; label: string; runId: string; suiteId: string | null }[]>([]);
  const suites = new Set(picked.map((item) => item.suiteId));

  function toggle(run: ComparableRun, variant: ComparableRun["variants"][number]) {
    setPicked((current) =>
      current.some((item) => item.id === variant.id)
        ? current.filter((item) => item.id !== variant.id)
        : [...current, { id: variant.id, label: variant.label, runId: run.id, suiteId: run.suiteId }],
    );
  }

  if (runs.length === 0) {
    return (
      <div className="p-6">
        <div className="card mx-auto max-w-xl p-8 text-center" data-testid="compare-empty">
          <h2 className="text-base font-semibold">Nothing to compare yet</h2>
          <p className="mt-1 text-sm text-slate-600">Run a suite with two or more variants (prompt versions, models or parameters), then compare them here with intervals, p-values and a plain verdict.</p>
          <div className="mt-4 flex justify-center gap-2">
            <Link className="btn-primary" href={inWorkspace("/runs/new")}>Start a run</Link>
            {canRun && <Link className="btn" href={inWorkspace("/compare/ablation")}>Measure examples (ablation)</Link>}
          </div>
        </div>
      </div>
    );
  }

  return (
    <div className="space-y-4 p-6" data-testid="compare-picker">
      <div className="card sticky top-0 z-10 flex flex-wrap items-center gap-3 px-4 py-3">
        {picked.length === 0 ? (
          <span className="text-sm text-slate-500">Pick two or more variants below. The first one you pick is the baseline.</span>
        ) : (
          <div className="flex flex-wrap items-center gap-2 text-sm">
            {picked.map((item, index) => (
              <span key={item.id} className="inline-flex items-center gap-1 rounded-md bg-slate-100 px-2 py-0.5">
                <LetterBadge letter={String.fromCharCode(65 + index)} index={index} size="sm" />
                {item.label}
                {index === 0 && <span className="text-xs text-slate-500">(baseline)</span>}
              </span>
            ))}
          </div>
        )}
        {suites.size > 1 && <span className="text-xs text-amber-700">Different suites: cases will be matched by key.</span>}
        <div className="ml-auto flex gap-2">
          {picked.length > 0 && <button className="btn" onClick={() => setPicked([])}>Clear</button>}
          <button className="btn-primary" disabled={picked.length < 2} onClick={() => router.push(inWorkspace(`/compare?variants=${picked.map((item) => item.id).join(",")}`))} data-testid="compare-picked">
            Compare {picked.length >= 2 ? picked.length : ""} variants
          </button>
        </div>
      </div>
      <div className="grid gap-3">
        {runs.map((run) => (
          <div key={run.id} className="card p-4" data-testid="picker-run">
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div className="min-w-0">
                <Link href={inWorkspace(`/runs/${run.id}`)} className="font-semibold hover:underline">{run.name || "Untitled run"}</Link>
                <div className="text-xs text-slate-500">
                  {run.suiteName ?? "suite deleted"} · {formatDate(run.createdAt)} · {run.status}{run.repeats > 1 ? ` · ${run.repeats} repeats` : ""}
                </div>
              </div>
              {run.variants.length >= 2 && (
                <Link className="btn px-2 py-1 text-xs" href={inWorkspace(`/compare?variants=${run.variants.map((variant) => variant.id).join(",")}`)}>
                  Compare all {run.variants.length}
                </Link>
              )}
            </div>
            <div className="mt-2 flex flex-wrap gap-1.5">
              {run.variants.map((variant) => {
                const position = picked.findIndex((item) => item.id === variant.id);
                return (
                  <button
                    key={variant.id}
                    onClick={() => toggle(run, variant)}
                    className={`inline-flex items-center gap-1.5 rounded-md border px-2 py-1 text-sm ${position === -1 ? "border-slate-200 bg-white hover:bg-slate-50" : "border-brand-500 bg-brand-50"}`}
                    data-testid="picker-variant"
                  >
                    {position !== -1 && <LetterBadge letter={String.fromCharCode(65 + position)} index={position} size="sm" />}
                    <span className="font-medium">{variant.label}</span>
                    <span className="font-mono text-xs text-slate-500">{variant.model}</span>
                    <span className="text-xs text-slate-400">{variant.results.toLocaleString("en-US")} results</span>
                  </button>
                );
              })}
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}
