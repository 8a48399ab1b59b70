"use client";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { variableText } from "@/components/suites/case-editor";
import { api, errorText, MEMBER_API } from "@/lib/ui/api";
import { formatCount } from "@/lib/format";
import { ResultCellView } from "./result-cell";
import { ResultDetail } from "./result-detail";
import { letterColor, variantLetters } from "./variant-editor";
import type { ResultFilter, ResultPage, ResultRow, VariantRecord } from "./types";

// Rows load a page at a time as they scroll into view; only the visible rows (plus a margin) are in the DOM, so
// 10,000 cases scroll as smoothly as 10. Rows have a fixed height: the full text is one click away.

const PAGE_SIZE = 200;
const ROW_HEIGHT = 132;
const HEADER_HEIGHT = 40;
const CASE_COLUMN = 300;
const VARIANT_COLUMN = 340;

const filters: { id: ResultFilter; label: string; hint: string }[] = [
  { id: "all", label: "All", hint: "every case" },
  { id: "failures", label: "Failures", hint: "a variant failed an assertion or errored" },
  { id: "errors", label: "Errors", hint: "a call failed after its retries" },
  { id: "disagree", label: "Disagree", hint: "variants differ in pass/fail" },
];

export function ResultsGrid(props: {
  runId: string;
  variants: VariantRecord[];
  refreshToken: number;
  /** MEMBER_API, or a share link's /api/s/<token> */
  apiBase?: string;
  /** `?case=<key>`: the case an inbox link names */
  initialCase?: string | null;
  /** comment badges and the case's thread (not on a share link's view) */
  comments?: boolean;
}) {
  const apiBase = props.apiBase ?? MEMBER_API;
  const comments = props.comments ?? true;
  const [filter, setFilter] = useState<ResultFilter>("all");
  // `?case=<key>` (an inbox link to a comment on one case) searches for that case and opens it once it has loaded.
  const [searchText, setSearchText] = useState(props.initialCase ?? "");
  const [search, setSearch] = useState(props.initialCase ?? "");
  const pendingCase = useRef(props.initialCase ?? null);
  const [commentCounts, setCommentCounts] = useState<Map<string, number>>(new Map());
  const [total, setTotal] = useState<number | null>(null);
  const [pages, setPages] = useState<Map<number, ResultRow[]>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const inFlight = useRef(new Set<string>());
  const generation = useRef(0);
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const timer = setTimeout(() => setSearch(searchText.trim()), 300);
    return () => clearTimeout(timer);
  }, [searchText]);

  const fetchPage = useCallback(
    async (page: number, replace = false) => {
      const token = `${generation.current}:${page}`;
      if (inFlight.current.has(token)) return;
      inFlight.current.add(token);
      const started = generation.current;
      try {
        const query = new URLSearchParams({ offset: String(page * PAGE_SIZE), limit: String(PAGE_SIZE), filter });
        if (search) query.set("search", search);
        const result = await api<ResultPage>(`${apiBase}/runs/${props.runId}/results?${query}`);
        if (started !== generation.current) return;
        setTotal(result.total);
        setPages((current) => {
          const next = new Map(replace ? [] : current);
          next.set(page, result.rows);
          return next;
        });
        setError(null);
      } catch (caught) {
        if (started === generation.current) setError(errorText(caught));
      } finally {
        inFlight.current.delete(token);
      }
    },
    [props.runId, filter, search, apiBase],
  );

  // A new filter or search starts over from the first page.
  useEffect(() => {
    generation.current += 1;
    inFlight.current.clear();
    setPages(new Map());
    setTotal(null);
    setSelected(null);
    scrollRef.current?.scrollTo({ top: 0 });
    void fetchPage(0);
  }, [fetchPage]);

  const virtualizer = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    scrollMargin: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const firstPage = items.length > 0 ? Math.floor((items[0]?.index ?? 0) / PAGE_SIZE) : 0;
  const lastPage = items.length > 0 ? Math.floor((items.at(-1)?.index ?? 0) / PAGE_SIZE) : 0;

  useEffect(() => {
    for (let page = firstPage; page <= lastPage; page++) if (!pages.has(page)) void fetchPage(page);
  }, [firstPage, lastPage, pages, fetchPage]);

  // While the run goes on, the visible pages are fetched again; pages out of view are dropped and reload on scroll.
  const refreshToken = props.refreshToken;
  const visible = useRef({ firstPage, lastPage });
  visible.current = { firstPage, lastPage };
  useEffect(() => {
    if (refreshToken === 0) return;
    const { firstPage: from, lastPage: to } = visible.current;
    setPages((current) => new Map([...current].filter(([page]) => page >= from && page <= to)));
    for (let page = from; page <= to; page++) void fetchPage(page);
  }, [refreshToken, fetchPage]);

  useEffect(() => {
    const key = pendingCase.current;
    const index = key === null ? -1 : (pages.get(0)?.findIndex((row) => row.key === key) ?? -1);
    if (index === -1) return;
    pendingCase.current = null;
    setSelected(index);
  }, [pages]);

  // Comments per case, for the badge in the case column: one small query per run page view.
  useEffect(() => {
    if (!comments) return;
    const controller = new AbortController();
    api<{ cases: { caseId: string; count: number }[] }>(`/api/comments/counts?targetType=run&targetId=${encodeURIComponent(props.runId)}`, { signal: controller.signal })
      .then((answer) => setCommentCounts(new Map(answer.cases.map((item) => [item.caseId, item.count]))))
      .catch((caught: unknown) => {
        // The badges are a hint; the grid works without them, and the thread itself shows its comments.
        if (!controller.signal.aborted) console.warn("[comments] could not load the counts per case", caught);
      });
    return () => controller.abort();
  }, [props.runId, comments]);
  const onCommentCount = useCallback((caseId: string, count: number) => {
    setCommentCounts((current) => (current.get(caseId) === count || (count === 0 && !current.has(caseId)) ? current : new Map(current).set(caseId, count)));
  }, []);

  const rowAt = useCallback((index: number) => pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], [pages]);
  const selectedRow = selected === null ? undefined : rowAt(selected);
  const step = useCallback(
    (delta: number) => {
      if (selected === null || total === null) return;
      const next = Math.min(total - 1, Math.max(0, selected + delta));
      setSelected(next);
      virtualizer.scrollToIndex(next, { align: "auto" });
    },
    [selected, total, virtualizer],
  );
  const close = useCallback(() => setSelected(null), []);

  const columns = useMemo(() => `${CASE_COLUMN}px repeat(${props.variants.length}, minmax(${VARIANT_COLUMN}px, 1fr))`, [props.variants.length]);
  const minWidth = CASE_COLUMN + props.variants.length * VARIANT_COLUMN;

  return (
    <section className="card overflow-hidden" data-testid="results-grid">
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2.5">
        <h2 className="text-sm font-semibold">Results</h2>
        <div className="flex gap-1 rounded-lg border border-slate-200 p-0.5" role="tablist" aria-label="Filter results">
          {filters.map((item) => (
            <button
              key={item.id}
              role="tab"
              aria-selected={filter === item.id}
              className={`rounded-md px-2.5 py-1 text-xs ${filter === item.id ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
              onClick={() => setFilter(item.id)}
              title={item.hint}
              data-testid={`filter-${item.id}`}
            >
              {item.label}
            </button>
          ))}
        </div>
        <input className="input w-64! py-1 text-xs" placeholder="Search key, variables, output…" value={searchText} onChange={(event) => setSearchText(event.target.value)} aria-label="Search results" data-testid="results-search" />
        <span className="text-xs text-slate-500" data-testid="results-count">
          {total === null ? "Loading…" : `${formatCount(total)} row${total === 1 ? "" : "s"}`}
        </span>
        <span className="flex-1" />
        <span className="text-[11px] text-slate-400">Click a row for full outputs and every assertion</span>
      </div>
      {error && <p role="alert" className="border-b border-red-100 bg-red-50 px-4 py-2 text-sm text-red-700">{error}</p>}
      <div ref={scrollRef} className="relative h-[min(72vh,900px)] overflow-auto" data-testid="results-scroll">
        <div style={{ minWidth }}>
          <div className="sticky top-0 z-10 grid border-b border-slate-200 bg-slate-50 text-xs font-medium text-slate-600" style={{ gridTemplateColumns: columns, height: HEADER_HEIGHT }}>
            <div className="sticky left-0 flex items-center border-r border-slate-200 bg-slate-50 px-3">Case</div>
            {props.variants.map((variant, index) => (
              <div key={variant.id} className="flex min-w-0 items-center gap-2 border-r border-slate-200 px-3 last:border-r-0">
                <span className={`flex h-5 w-5 shrink-0 items-center justify-center rounded text-[11px] font-bold text-white ${letterColor(index)}`}>{variantLetters[index]}</span>
                <span className="truncate" title={variant.label}>{variant.label}</span>
              </div>
            ))}
          </div>
          <div className="relative" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const row = rowAt(item.index);
              return (
                <div
                  key={item.key}
                  className={`absolute left-0 top-0 grid w-full cursor-pointer border-b border-slate-100 hover:bg-slate-50/80 ${selected === item.index ? "bg-brand-50/60" : "bg-white"}`}
                  style={{ gridTemplateColumns: columns, height: item.size, transform: `translateY(${item.start - HEADER_HEIGHT}px)` }}
                  onClick={() => setSelected(item.index)}
                  data-testid="result-row"
                  data-index={item.index}
                >
                  {row ? (
                    <>
                      <CaseCell row={row} comments={commentCounts.get(row.caseId) ?? 0} />
                      {props.variants.map((variant, index) => (
                        <div key={variant.id} className="min-w-0 border-r border-slate-100 last:border-r-0">
                          <ResultCellView cell={row.cells[index] ?? null} />
                        </div>
                      ))}
                    </>
                  ) : (
                    <div className="col-span-full flex items-center px-3 text-xs text-slate-300">Loading row {formatCount(item.index + 1)}…</div>
                  )}
                </div>
              );
            })}
          </div>
          {total === 0 && (
            <div className="px-4 py-12 text-center text-sm text-slate-500" data-testid="results-empty">
              {filter === "all" && !search ? "No results yet." : `No rows match${filter !== "all" ? ` “${filters.find((item) => item.id === filter)?.label}”` : ""}${search ? ` and “${search}”` : ""}.`}
            </div>
          )}
        </div>
      </div>
      {selectedRow && <ResultDetail runId={comments ? props.runId : null} row={selectedRow} variants={props.variants} onClose={close} onStep={step} onCommentCount={onCommentCount} />}
    </section>
  );
}

function CaseCell({ row, comments }: { row: ResultRow; comments: number }) {
  const entries = Object.entries(row.variables);
  return (
    <div className="sticky left-0 z-[1] flex min-w-0 flex-col gap-1 overflow-hidden border-r border-slate-200 bg-inherit p-2.5">
      <div className="flex items-center gap-2 text-xs">
        <span className="tabular-nums text-slate-400">{row.position + 1}</span>
        <span className="truncate font-mono font-medium text-slate-700" title={row.key}>{row.key}</span>
        {row.repeat > 0 && <span className="badge bg-slate-100 text-slate-500">r{row.repeat + 1}</span>}
        {row.tags.slice(0, 2).map((tag) => <span key={tag} className="badge bg-slate-100 text-slate-500">{tag}</span>)}
        {comments > 0 && (
          <span className="badge ml-auto shrink-0 bg-brand-50 text-brand-700" title={`${comments} comment${comments === 1 ? "" : "s"} on this case`} data-testid="case-comment-count">
            💬 {comments}
          </span>
        )}
      </div>
      <div className="line-clamp-3 font-mono text-[11px] leading-4 text-slate-600">
        {entries.map(([name, value]) => (
          <span key={name} className="mr-2"><span className="text-slate-400">{name}=</span>{variableText(value).slice(0, 160)}</span>
        ))}
      </div>
      {row.expected !== null && (
        <div className="truncate text-[11px] text-slate-500" title={row.expected}>expected: <span className="font-mono text-slate-700">{row.expected}</span></div>
      )}
    </div>
  );
}
