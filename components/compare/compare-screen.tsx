"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import type { Comparison, PreferenceSummary } from "@/lib/compare/types";
import { CommentThread } from "@/components/comments/comment-thread";
import { CaseDetailPanel } from "./case-detail";
import { CaseList } from "./case-list";
import { EcdfPlot } from "./ecdf-plot";
import { PassRateBars } from "./pass-rate-bars";
import type { JudgeConnection } from "./preference-panel";
import { PreferencePanel } from "./preference-panel";
import { FiguresTable, VariantsOverview, Verdicts } from "./summary-panel";
import { TagBreakdown } from "./tag-breakdown";
import { LetterBadge, variantDescription } from "./variant-chip";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { api } from "@/lib/ui/api";

// The compare screen: every figure arrives computed from the server; this component only arranges it and filters
// the per-case list. With more than two variants one of them is compared with the baseline at a time, and every
// p-value on the screen is Holm-adjusted across those comparisons.

const REFRESH_MS = 5000;

function Card({ title, children, actions, testId }: { title: string; children: React.ReactNode; actions?: React.ReactNode; testId?: string }) {
  return (
    <section className="card p-4" data-testid={testId}>
      <div className="mb-3 flex items-center justify-between gap-2">
        <h2 className="text-sm font-semibold text-slate-800">{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function CompareScreen(props: {
  comparison: Comparison;
  preferences: (PreferenceSummary | null)[];
  connections: JudgeConnection[];
  canVote: boolean;
  canJudge: boolean;
  initialB: number;
  /** `?case=<key>` (an inbox link to a comment on one case): opens that case's detail */
  initialCase?: string | null;
  /** where the case list and case detail fetch from: MEMBER_API, or a share link's /api/s/<token> */
  apiBase?: string;
  /** a share link's view: no votes, no judge, no links into the workspace, no live refresh (each would count a view),
   * no comments (threads are for members) */
  readOnly?: boolean;
}) {
  const inWorkspace = useWorkspacePath();
  const { comparison } = props;
  const router = useRouter();
  const [b, setB] = useState(Math.min(Math.max(props.initialB, 1), comparison.variants.length - 1));
  const [plot, setPlot] = useState<"latency" | "ttft">("latency");
  const [tag, setTag] = useState<string | null>(null);
  const [open, setOpen] = useState<{ index: number; visible: number[] } | null>(null);
  const pair = comparison.pairs[b - 1];
  const variantA = comparison.variants[0];
  const variantB = comparison.variants[b];

  // Runs still in progress: fetch the comparison again every few seconds (it is recomputed only when results change).
  useEffect(() => {
    if (comparison.final || props.readOnly) return;
    const timer = setInterval(() => router.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [comparison.final, props.readOnly, router]);

  const comparisonKey = comparison.variants.map((variant) => variant.id).join(",");
  const [commentCounts, setCommentCounts] = useState<Map<string, number>>(new Map());
  // Comments per case, for the badge in the case list: one small query when the comparison opens.
  const readOnly = props.readOnly ?? false;
  useEffect(() => {
    if (readOnly) return;
    const controller = new AbortController();
    api<{ cases: { caseKey: string; count: number }[] }>(`/api/comments/counts?targetType=comparison&targetId=${encodeURIComponent(comparisonKey)}`, { signal: controller.signal })
      .then((answer) => setCommentCounts(new Map(answer.cases.map((item) => [item.caseKey, item.count]))))
      .catch((caught: unknown) => {
        // The badges are a hint; the list works without them, and each case's thread shows its comments.
        if (!controller.signal.aborted) console.warn("[comments] could not load the counts per case", caught);
      });
    return () => controller.abort();
  }, [comparisonKey, readOnly]);
  const onCaseCommentCount = useCallback((caseKey: string, count: number) => {
    setCommentCounts((current) => (current.get(caseKey) === count || (count === 0 && !current.has(caseKey)) ? current : new Map(current).set(caseKey, count)));
  }, []);
  const initialCase = props.initialCase ?? null;
  const caseKeys = comparison.cases.keys;
  useEffect(() => {
    if (initialCase === null) return;
    const index = caseKeys.indexOf(initialCase);
    if (index !== -1) setOpen({ index, visible: caseKeys.map((_key, position) => position) });
  }, [initialCase, caseKeys]);

  const step = useCallback(
    (direction: -1 | 1) => {
      setOpen((current) => {
        if (!current) return current;
        const position = current.visible.indexOf(current.index);
        const next = current.visible[Math.min(Math.max(position + direction, 0), current.visible.length - 1)];
        return next === undefined ? current : { ...current, index: next };
      });
    },
    [],
  );

  if (!pair || !variantA || !variantB) return null;
  const repeats = comparison.stats.some((stats) => stats.stability !== null);
  const pairIds = [variantA.id, variantB.id];

  return (
    <div className="space-y-4 p-6" data-testid="compare-screen">
      {!comparison.final && (
        <div className="flex items-center gap-2 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900" data-testid="live-banner">
          <span className="relative flex h-2 w-2"><span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-sky-400 opacity-75" /><span className="relative inline-flex h-2 w-2 rounded-full bg-sky-500" /></span>
          {props.readOnly ? "A run was still in progress: reload the page for the figures of the results that arrived since." : "A run is still in progress: the figures update as results arrive."}
        </div>
      )}
      {comparison.notes.length > 0 && (
        <ul className="space-y-1 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="notes">
          {comparison.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}

      <div className="grid gap-2 sm:grid-cols-2 xl:grid-cols-4" data-testid="variant-legend">
        {comparison.variants.map((variant, index) => (
          <div key={variant.id} className={`card flex min-w-0 items-start gap-2 px-3 py-2 ${index === b || index === 0 ? "ring-1 ring-slate-300" : "opacity-80"}`}>
            <LetterBadge letter={variant.letter} index={index} />
            <div className="min-w-0 text-xs">
              <div className="truncate text-sm font-medium text-slate-900">{variant.label}{index === 0 && comparison.variants.length > 2 && <span className="ml-1.5 badge bg-slate-100 text-slate-600">baseline</span>}</div>
              <div className="truncate text-slate-500" title={variantDescription(variant)}>{variantDescription(variant)}</div>
              <div className="truncate text-slate-400">
                {props.readOnly ? <span>{variant.runName || "run"}</span> : <Link href={inWorkspace(`/runs/${variant.runId}`)} className="hover:underline">{variant.runName || "run"}</Link>} · {variant.suiteName ?? "suite deleted"}{variant.repeats > 1 ? ` · ${variant.repeats} repeats` : ""}
              </div>
            </div>
          </div>
        ))}
      </div>

      {comparison.variants.length > 2 && (
        <Card title={`All variants against ${variantA.letter} (${variantA.label})`} testId="overview-card">
          <p className="mb-2 rounded bg-brand-50 px-2 py-1 text-xs text-brand-700" data-testid="holm-note">
            {comparison.variants.length - 1} comparisons with the baseline: every p-value on this screen is Holm-adjusted across them, so a &ldquo;difference&rdquo; is not just the luck of testing many variants. Click a row to compare it in detail.
          </p>
          <VariantsOverview comparison={comparison} selected={b} onSelect={(index) => { setB(index); setOpen(null); }} />
        </Card>
      )}

      <Card
        title={`${variantB.letter} against ${variantA.letter} on ${pair.metrics.find((metric) => metric.metric === "passRate")?.n.toLocaleString("en-US") ?? comparison.analysedCases.toLocaleString("en-US")} paired cases`}
        testId="verdict-card"
        actions={
          comparison.variants.length === 2 && !props.readOnly ? (
            <Link className="btn px-2 py-1 text-xs" href={inWorkspace(`/compare?variants=${variantB.id},${variantA.id}`)} title="Make B the baseline">⇄ Swap</Link>
          ) : undefined
        }
      >
        <Verdicts pair={pair} />
      </Card>

      <Card title="Figures with 95 % intervals" testId="figures-card">
        <FiguresTable comparison={comparison} pair={pair} indexB={b} />
        <p className="mt-2 text-xs text-slate-500">
          Percentile intervals: bootstrap, {comparison.resamples.toLocaleString("en-US")} resamples, seed {comparison.seed}. Latency and cost leave out cached answers; latency also leaves out errors. Hover &ldquo;method&rdquo; above for how each p-value is computed.
        </p>
      </Card>

      <div className="grid gap-4 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
        <Card title="Pass rate with 95 % intervals" testId="pass-rate-card">
          <PassRateBars variants={comparison.variants} stats={comparison.stats} highlight={comparison.variants.length > 2 ? pairIds : []} />
        </Card>
        <Card
          title="Distribution"
          testId="ecdf-card"
          actions={
            <div className="flex overflow-hidden rounded-md border border-slate-200 text-xs">
              {(["latency", "ttft"] as const).map((option) => (
                <button key={option} onClick={() => setPlot(option)} className={`px-2 py-0.5 ${plot === option ? "bg-slate-800 text-white" : "bg-white text-slate-600 hover:bg-slate-50"}`}>
                  {option === "latency" ? "Latency" : "Time to first token"}
                </button>
              ))}
            </div>
          }
        >
          <EcdfPlot
            key={plot}
            series={plot === "latency" ? comparison.latencyEcdf : comparison.ttftEcdf}
            variants={comparison.variants}
            highlight={pairIds}
            title={plot === "latency" ? "Latency: share of calls answered within" : "Time to first token: share of calls started within"}
            testId="ecdf-plot"
          />
        </Card>
      </div>

      <div className={`grid gap-4 ${props.readOnly ? "" : "xl:grid-cols-2"}`}>
        <Card title="Pass rate by tag" testId="tags-card">
          <TagBreakdown rows={pair.tags} indexA={0} indexB={b} letterA={variantA.letter} letterB={variantB.letter} onPickTag={setTag} />
        </Card>
        {!props.readOnly && (
          <Card title="Blind preference" testId="preference-card">
            <PreferencePanel
              preference={props.preferences[b - 1] ?? null}
              variants={comparison.variants}
              a={0}
              b={b}
              connections={props.connections}
              canVote={props.canVote}
              canJudge={props.canJudge}
              onJudged={() => router.refresh()}
            />
          </Card>
        )}
      </div>

      {repeats && (
        <Card title="Stability across repeats" testId="stability-card">
          <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
            {comparison.variants.map((variant, index) => {
              const stability = comparison.stats[index]?.stability;
              return (
                <div key={variant.id} className="flex items-start gap-2 text-sm">
                  <LetterBadge letter={variant.letter} index={index} />
                  {stability ? (
                    <div>
                      <div className="font-medium text-slate-800">
                        {(stability.share.estimate * 100).toFixed(1)} % of cases flip <span className="text-xs font-normal text-slate-500">(95 % CI {(stability.share.low * 100).toFixed(1)} to {(stability.share.high * 100).toFixed(1)})</span>
                      </div>
                      <div className="text-xs text-slate-500">
                        {stability.flipping} of {stability.cases} cases pass in some repeats and fail in others; {stability.identicalOutputs} gave the same output every time.
                      </div>
                    </div>
                  ) : (
                    <span className="text-slate-500">one result per case</span>
                  )}
                </div>
              );
            })}
          </div>
        </Card>
      )}

      <section className="card overflow-hidden">
        <CaseList
          cases={comparison.cases}
          variants={comparison.variants}
          a={0}
          b={b}
          tag={tag}
          onTag={setTag}
          openIndex={open?.index ?? null}
          onOpen={(index, visible) => setOpen({ index, visible })}
          firstOutputs={comparison.firstOutputs}
          commentCounts={commentCounts}
          apiBase={props.apiBase}
          key={b}
        />
      </section>

      {!readOnly && <CommentThread targetType="comparison" targetId={comparisonKey} title="Discussion of this comparison" />}

      {open && (
        <CaseDetailPanel
          comparisonKey={readOnly ? null : comparisonKey}
          onCommentCount={onCaseCommentCount}
          variants={comparison.variants}
          a={0}
          b={b}
          caseKey={comparison.cases.keys[open.index] as string}
          position={`${open.visible.indexOf(open.index) + 1} of ${open.visible.length.toLocaleString("en-US")} shown`}
          onClose={() => setOpen(null)}
          onStep={step}
          apiBase={props.apiBase}
        />
      )}
      <p className="text-right text-xs text-slate-400">Computed in {comparison.computeMs.toLocaleString("en-US")} ms at {new Date(comparison.computedAt).toLocaleTimeString("en-GB")}.</p>
    </div>
  );
}
