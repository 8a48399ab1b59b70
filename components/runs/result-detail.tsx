"use client";
import { useCallback, useEffect } from "react";
import { CommentThread } from "@/components/comments/comment-thread";
import { formatCount, formatDuration, formatMoney } from "@/lib/format";
import { variableText } from "@/components/suites/case-editor";
import { CellFigures, Verdict } from "./result-cell";
import { letterColor, variantLetters } from "./variant-editor";
import type { ResultRow, VariantRecord } from "./types";

/** Everything about one case across the variants: full outputs, every assertion's outcome, errors, attempts. */
export function ResultDetail(props: {
  /** the run the case's comments hang on; null shows no comments */
  runId: string | null;
  row: ResultRow;
  variants: VariantRecord[];
  onClose: () => void;
  onStep: (delta: number) => void;
  onCommentCount?: (caseId: string, count: number) => void;
}) {
  const { row, onClose, onStep, onCommentCount } = props;
  const caseId = row.caseId;
  const countChanged = useCallback((count: number) => onCommentCount?.(caseId, count), [onCommentCount, caseId]);
  useEffect(() => {
    function key(event: KeyboardEvent) {
      // typing in the comment box (j, k, arrows) must not step through cases
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement) return;
      if (event.key === "Escape") onClose();
      if (event.key === "ArrowDown" || event.key === "j") onStep(1);
      if (event.key === "ArrowUp" || event.key === "k") onStep(-1);
    }
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, [onClose, onStep]);

  return (
    <aside className="fixed inset-y-0 right-0 z-30 flex w-[min(720px,95vw)] flex-col border-l border-slate-200 bg-white shadow-2xl" data-testid="result-detail">
      <header className="flex items-start justify-between gap-3 border-b border-slate-200 px-5 py-3">
        <div className="min-w-0">
          <div className="text-xs text-slate-500">Case {row.position + 1}{row.repeat > 0 ? ` · repeat ${row.repeat + 1}` : ""}</div>
          <h2 className="truncate font-mono text-sm font-semibold">{row.key}</h2>
        </div>
        <div className="flex shrink-0 items-center gap-2 text-xs text-slate-500">
          <button className="btn px-2 py-1 text-xs" onClick={() => onStep(-1)} title="Previous (↑ or k)">↑</button>
          <button className="btn px-2 py-1 text-xs" onClick={() => onStep(1)} title="Next (↓ or j)">↓</button>
          <button className="btn px-2 py-1 text-xs" onClick={onClose} title="Close (Esc)">Close</button>
        </div>
      </header>
      <div className="flex-1 space-y-5 overflow-y-auto px-5 py-4">
        <section>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Variables</h3>
          <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
            {Object.entries(row.variables).map(([name, value]) => (
              <div key={name} className="contents">
                <dt className="font-mono text-xs text-slate-500">{name}</dt>
                <dd className="whitespace-pre-wrap break-words font-mono text-xs">{variableText(value)}</dd>
              </div>
            ))}
          </dl>
          {row.expected !== null && (
            <div className="mt-2">
              <div className="text-xs text-slate-500">Expected</div>
              <div className="whitespace-pre-wrap break-words rounded bg-slate-50 px-2 py-1 font-mono text-xs">{row.expected}</div>
            </div>
          )}
          {row.tags.length > 0 && (
            <div className="mt-2 flex flex-wrap gap-1">{row.tags.map((tag) => <span key={tag} className="badge bg-slate-100 text-slate-600">{tag}</span>)}</div>
          )}
        </section>
        {props.variants.map((variant, index) => {
          const cell = row.cells[index] ?? null;
          return (
            <section key={variant.id} className="rounded-lg border border-slate-200">
              <div className="flex items-center gap-2 border-b border-slate-100 px-3 py-2">
                <span className={`flex h-5 w-5 items-center justify-center rounded text-[11px] font-bold text-white ${letterColor(index)}`}>{variantLetters[index]}</span>
                <span className="min-w-0 flex-1 truncate text-sm font-medium" title={variant.label}>{variant.label}</span>
                <Verdict cell={cell} />
                {cell?.score !== null && cell?.score !== undefined && <span className="text-xs tabular-nums text-slate-500">score {cell.score.toFixed(3)}</span>}
              </div>
              {cell ? (
                <div className="space-y-2 px-3 py-2">
                  {cell.error && (
                    <div className="rounded bg-red-50 px-2 py-1 text-xs text-red-800">
                      <span className="font-semibold">{cell.error.kind}{cell.error.status ? ` (${cell.error.status})` : ""}</span>: {cell.error.message}
                      <div className="text-red-600">after {cell.attempts} attempt{cell.attempts === 1 ? "" : "s"}</div>
                    </div>
                  )}
                  <pre className="max-h-72 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 px-2 py-1.5 font-mono text-xs">{cell.output ?? "(no output)"}</pre>
                  <CellFigures cell={cell} />
                  <div className="text-[11px] text-slate-500">
                    finish: {cell.finishReason ?? "—"} · attempts {cell.attempts} · latency {formatDuration(cell.latencyMs)} · cost {formatMoney(cell.cost)} · tokens {formatCount(cell.inputTokens)} in / {formatCount(cell.outputTokens)} out
                  </div>
                  {cell.assertions.length > 0 && (
                    <ul className="divide-y divide-slate-100 rounded border border-slate-100 text-xs">
                      {cell.assertions.map((outcome, position) => (
                        <li key={position} className="px-2 py-1.5">
                          <div className="flex items-center gap-2">
                            <span className={`badge ${outcome.pass ? "bg-emerald-100 text-emerald-800" : "bg-amber-100 text-amber-900"}`}>{outcome.pass ? "pass" : "fail"}</span>
                            <code className="font-mono">{outcome.type}</code>
                            <span className="text-slate-400">score {outcome.score.toFixed(2)} · weight {outcome.weight}</span>
                            {outcome.measured !== undefined && outcome.measured !== null && <span className="text-slate-400">measured {Number(outcome.measured.toPrecision(4))}</span>}
                            {outcome.predicted !== undefined && <span className="text-slate-400">read as {outcome.predicted ?? "none of the classes"}</span>}
                          </div>
                          {outcome.reason && <div className="mt-0.5 text-amber-900">{outcome.reason}</div>}
                          {outcome.reasoning && <div className="mt-0.5 whitespace-pre-wrap text-slate-600"><span className="font-medium">Judge: </span>{outcome.reasoning}</div>}
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              ) : (
                <p className="px-3 py-2 text-xs text-slate-500">Not run yet.</p>
              )}
            </section>
          );
        })}
        {props.runId && <section className="rounded-lg border border-slate-200 p-3">
          <CommentThread key={row.caseId} compact targetType="run" targetId={props.runId} caseId={row.caseId} title={`Comments on case ${row.key}`} onCountChange={countChanged} />
        </section>}
      </div>
    </aside>
  );
}
