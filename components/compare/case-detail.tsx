"use client";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { CaseDetail, CaseResultDetail } from "@/lib/compare/service";
import type { CompareVariant } from "@/lib/compare/types";
import { formatDuration, formatMoney, formatTokens } from "@/lib/format";
import { failureReason } from "@/lib/runs/failure-reason";
import { api, errorText, MEMBER_API } from "@/lib/ui/api";
import { CommentThread } from "@/components/comments/comment-thread";
import { LetterBadge } from "./variant-chip";
import { DiffText, wordDiff } from "./word-diff";

// One case in full: the input, the reference answer, and for both variants every repeat's output (word diff
// against the other side's same repeat), assertion outcomes with their reasons, errors and timings.

interface AssertionView {
  type?: string;
  pass?: boolean;
  score?: number;
  reason?: string | null;
  weight?: number;
}

function assertionsOf(value: unknown): AssertionView[] {
  return Array.isArray(value) ? (value as AssertionView[]) : [];
}

function variableEntries(variables: unknown): [string, string][] {
  if (!variables || typeof variables !== "object" || Array.isArray(variables)) return [["input", JSON.stringify(variables)]];
  return Object.entries(variables as Record<string, unknown>).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value, null, 2)]);
}

function ResultBlock({ result, other, side }: { result: CaseResultDetail; other: CaseResultDetail | undefined; side: "a" | "b" }) {
  const parts = useMemo(() => {
    if (result.output === null || other?.output === null || other?.output === undefined) return null;
    return side === "a" ? wordDiff(result.output, other.output) : wordDiff(other.output, result.output);
  }, [result.output, other?.output, side]);
  const error = failureReason(result);
  const assertions = assertionsOf(result.assertions);
  return (
    <div className="rounded-md border border-slate-200 bg-white p-2.5" data-testid="detail-result">
      <div className="mb-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-600">
        <span className="font-medium text-slate-700">repeat {result.repeat + 1}</span>
        {result.pass === true && <span className="badge bg-emerald-100 text-emerald-700">pass</span>}
        {result.pass === false && <span className="badge bg-red-100 text-red-700">fail</span>}
        {result.score !== null && <span>score {result.score.toFixed(3)}</span>}
        <span>latency {result.latencyMs === null ? "—" : formatDuration(result.latencyMs)}</span>
        <span>TTFT {result.ttftMs === null ? "—" : formatDuration(result.ttftMs)}</span>
        <span>
          tokens {result.inputTokens === null ? "—" : formatTokens(result.inputTokens)} → {result.outputTokens === null ? "—" : formatTokens(result.outputTokens)}
        </span>
        <span>{result.cost === null ? "cost —" : formatMoney(result.cost)}</span>
        {result.cached && <span className="badge bg-violet-100 text-violet-700">cached</span>}
        {result.retries > 0 && <span>{result.retries} retr{result.retries === 1 ? "y" : "ies"}</span>}
        {result.finishReason && result.finishReason !== "stop" && <span className="badge bg-amber-100 text-amber-800">{result.finishReason}</span>}
      </div>
      {error && <p className="mb-1.5 rounded bg-red-50 px-2 py-1 text-xs text-red-800">{error}</p>}
      {result.output !== null && (
        <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-2 font-mono text-xs leading-relaxed text-slate-800">
          <DiffText parts={parts} side={side} fallback={result.output} />
        </pre>
      )}
      {assertions.length > 0 && (
        <ul className="mt-1.5 space-y-0.5 text-xs">
          {assertions.map((assertion, index) => (
            <li key={index} className="flex gap-1.5">
              <span className={assertion.pass ? "text-emerald-600" : "text-red-600"}>{assertion.pass ? "✓" : "✗"}</span>
              <span className="font-mono text-slate-700">{assertion.type ?? "assertion"}</span>
              {assertion.reason && <span className="text-slate-500">— {assertion.reason}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function CaseDetailPanel(props: {
  /** every variant id of the comparison, baseline first: what comments on its cases hang on (null: no comments) */
  comparisonKey: string | null;
  onCommentCount?: (caseKey: string, count: number) => void;
  variants: CompareVariant[];
  a: number;
  b: number;
  caseKey: string;
  position: string;
  onClose: () => void;
  onStep: (step: -1 | 1) => void;
  /** MEMBER_API, or a share link's /api/s/<token> */
  apiBase?: string;
}) {
  const apiBase = props.apiBase ?? MEMBER_API;
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const { onCommentCount, caseKey } = props;
  const onCountChange = useCallback((count: number) => onCommentCount?.(caseKey, count), [onCommentCount, caseKey]);
  const [error, setError] = useState<string | null>(null);
  const variantA = props.variants[props.a];
  const variantB = props.variants[props.b];

  useEffect(() => {
    const controller = new AbortController();
    setDetail(null);
    setError(null);
    const query = new URLSearchParams({ variants: `${variantA?.id},${variantB?.id}`, key: props.caseKey });
    api<CaseDetail>(`${apiBase}/compare/case?${query}`, { signal: controller.signal })
      .then(setDetail)
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(errorText(caught));
      });
    return () => controller.abort();
  }, [props.caseKey, variantA?.id, variantB?.id, apiBase]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement) return;
      if (event.key === "Escape") props.onClose();
      if (event.key === "j" || event.key === "ArrowDown") {
        event.preventDefault();
        props.onStep(1);
      }
      if (event.key === "k" || event.key === "ArrowUp") {
        event.preventDefault();
        props.onStep(-1);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props]);

  const resultsA = detail?.results[0]?.results ?? [];
  const resultsB = detail?.results[1]?.results ?? [];
  return (
    <div className="fixed inset-0 z-40 flex justify-end bg-slate-900/20" onClick={props.onClose}>
      <aside className="flex h-full w-[min(1100px,92vw)] flex-col bg-slate-50 shadow-2xl" onClick={(event) => event.stopPropagation()} data-testid="case-detail" aria-label={`Case ${props.caseKey}`}>
        <header className="flex items-center gap-3 border-b border-slate-200 bg-white px-4 py-2.5">
          <h2 className="min-w-0 truncate font-mono text-sm font-semibold">{props.caseKey}</h2>
          <span className="text-xs text-slate-500">{props.position}</span>
          <div className="ml-auto flex items-center gap-1.5">
            <button className="btn px-2 py-1 text-xs" onClick={() => props.onStep(-1)} title="Previous case (k or ↑)">↑ Prev</button>
            <button className="btn px-2 py-1 text-xs" onClick={() => props.onStep(1)} title="Next case (j or ↓)">↓ Next</button>
            <button className="btn px-2 py-1 text-xs" onClick={props.onClose} title="Close (Esc)" data-testid="close-detail">✕</button>
          </div>
        </header>
        <div className="flex-1 space-y-3 overflow-auto p-4">
          {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
          {!detail && !error && <p className="text-sm text-slate-500">Loading…</p>}
          {detail && (
            <>
              <section className="card p-3">
                <div className="mb-1 flex items-center gap-2 text-xs font-medium text-slate-500">
                  Input
                  {detail.tags.map((tag) => (
                    <span key={tag} className="badge bg-slate-100 text-slate-600">{tag}</span>
                  ))}
                </div>
                <dl className="max-h-48 space-y-1.5 overflow-auto text-sm">
                  {variableEntries(detail.variables).map(([name, value]) => (
                    <div key={name} className="grid grid-cols-[120px_1fr] items-baseline gap-2">
                      <dt className="truncate font-mono text-xs text-slate-500">{name}</dt>
                      <dd className="whitespace-pre-wrap break-words text-slate-800">{value}</dd>
                    </div>
                  ))}
                </dl>
                {detail.expected !== null && (
                  <>
                    <div className="mb-1 mt-2 text-xs font-medium text-slate-500">Expected</div>
                    <pre className="whitespace-pre-wrap break-words font-mono text-xs text-slate-800">{detail.expected}</pre>
                  </>
                )}
              </section>
              <div className="grid grid-cols-2 gap-3">
                {[
                  { variant: variantA, index: props.a, results: resultsA, other: resultsB, side: "a" as const },
                  { variant: variantB, index: props.b, results: resultsB, other: resultsA, side: "b" as const },
                ].map(({ variant, index, results, other, side }) => (
                  <section key={side} className="min-w-0 space-y-2">
                    <h3 className="flex items-center gap-1.5 text-sm font-semibold">
                      <LetterBadge letter={variant?.letter ?? "?"} index={index} /> {variant?.label}
                    </h3>
                    {results.length === 0 && <p className="text-sm text-slate-500">No result for this case yet.</p>}
                    {results.map((result) => (
                      <ResultBlock key={result.repeat} result={result} other={other.find((item) => item.repeat === result.repeat)} side={side} />
                    ))}
                  </section>
                ))}
              </div>
              {detail.caseId && props.comparisonKey && (
                <div className="card p-3">
                  <CommentThread key={detail.caseId} compact targetType="comparison" targetId={props.comparisonKey} caseId={detail.caseId} title={`Comments on case ${detail.key}`} onCountChange={onCountChange} />
                </div>
              )}
            </>
          )}
        </div>
      </aside>
    </div>
  );
}
