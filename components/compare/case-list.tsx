"use client";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useMemo, useRef, useState } from "react";
import type { CaseColumns, CompareVariant, OutputPreview, OutputPreviews } from "@/lib/compare/types";
import { api, errorText, MEMBER_API } from "@/lib/ui/api";
import { formatDuration, formatMoney, formatTokens } from "@/lib/format";
import type { CaseFilter, CaseSort } from "./case-filters";
import { FILTERS, matchesFilter, SORTS, sortCases } from "./case-filters";
import { variantColor } from "./palette";
import { LetterBadge } from "./variant-chip";
import { DiffText, wordDiff } from "./word-diff";

// Every case side by side, virtualized: only the rows on screen are rendered (and diffed), so 5,000 cases scroll
// as smoothly as 50. Filters run over the columns in memory; outputs are fetched for the rows coming into view
// and searched on the server; a click opens the case in full.

const ROW_HEIGHT = 112;
/** rows fetched beyond the visible window, so a normal scroll finds them loaded */
const PREFETCH = 40;

/** Output previews of the shown pair, fetched in batches for the rows on (or near) the screen. */
function useOutputs(variantIds: string[], initial: OutputPreviews, apiBase: string) {
  const store = useRef(new Map<string, OutputPreview>());
  const requested = useRef(new Set<string>());
  const [, setVersion] = useState(0);
  const pairKey = variantIds.join(",");
  if (store.current.size === 0) {
    for (const [variantId, byKey] of Object.entries(initial)) {
      for (const [key, preview] of Object.entries(byKey)) {
        store.current.set(`${variantId}\u0000${key}`, preview);
        requested.current.add(`${variantId}\u0000${key}`);
      }
    }
  }
  const get = (variantId: string, key: string) => store.current.get(`${variantId}\u0000${key}`);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const wanted = useRef<string[]>([]);
  function request(keys: string[]) {
    wanted.current = keys;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const missing = wanted.current.filter((key) => variantIds.some((id) => !requested.current.has(`${id}\u0000${key}`))).slice(0, 400);
      if (missing.length === 0) return;
      for (const key of missing) for (const id of variantIds) requested.current.add(`${id}\u0000${key}`);
      api<OutputPreviews>(`${apiBase}/compare/outputs`, { body: { variants: variantIds, keys: missing } })
        .then((previews) => {
          for (const id of variantIds) {
            for (const key of missing) store.current.set(`${id}\u0000${key}`, previews[id]?.[key] ?? { text: null, length: 0 });
          }
          setVersion((value) => value + 1);
        })
        .catch(() => {
          // Let the next scroll ask again.
          for (const key of missing) for (const id of variantIds) requested.current.delete(`${id}\u0000${key}`);
        });
    }, 40);
  }
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, [pairKey]);
  return { get, request };
}

/** Keys of the cases whose outputs or inputs contain the query, searched on the server (null: no search). */
function useServerSearch(variantIds: string[], query: string, apiBase: string): { keys: Set<string> | null; searching: boolean; error: string | null } {
  const [result, setResult] = useState<{ query: string; keys: Set<string> } | null>(null);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pair = variantIds.join(",");
  useEffect(() => {
    if (!query) {
      setResult(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setSearching(true);
      setError(null);
      api<{ keys: string[] }>(`${apiBase}/compare/search?variants=${encodeURIComponent(pair)}&q=${encodeURIComponent(query)}`, { signal: controller.signal })
        .then(({ keys }) => setResult({ query, keys: new Set(keys) }))
        .catch((caught: unknown) => {
          // A search overtaken by the next keystroke is aborted on purpose; any other failure is shown.
          if (!controller.signal.aborted) setError(errorText(caught));
        })
        .finally(() => setSearching(false));
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [pair, query, apiBase]);
  return { keys: result && result.query === query ? result.keys : null, searching, error };
}

function PassBadge({ share, error }: { share: number | null; error: string | null }) {
  if (error !== null && (share === null || share === 0)) return <span className="badge bg-red-100 text-red-700">error</span>;
  if (share === null) return <span className="badge bg-slate-100 text-slate-500">not graded</span>;
  if (share === 1) return <span className="badge bg-emerald-100 text-emerald-700">pass</span>;
  if (share === 0) return <span className="badge bg-red-100 text-red-700">fail</span>;
  return <span className="badge bg-amber-100 text-amber-800">{Math.round(share * 100)}% pass</span>;
}

interface RowProps {
  cases: CaseColumns;
  index: number;
  a: number;
  b: number;
  onOpen: (index: number) => void;
  selected: boolean;
  /** undefined while loading */
  previewA: OutputPreview | undefined;
  previewB: OutputPreview | undefined;
  /** comments anchored to this case */
  comments: number;
}

const CaseRow = memo(function CaseRow({ cases, index, a, b, onOpen, selected, previewA, previewB, comments }: RowProps) {
  const columnA = cases.columns[a];
  const columnB = cases.columns[b];
  const outputA = previewA?.text ?? null;
  const outputB = previewB?.text ?? null;
  const parts = useMemo(() => (outputA !== null && outputB !== null ? wordDiff(outputA, outputB) : null), [outputA, outputB]);
  const side = (column: typeof columnA, which: "a" | "b", preview: OutputPreview | undefined) => {
    if (!column) return null;
    const error = column.errors[index] ?? null;
    const output = preview?.text ?? null;
    const truncated = output !== null && (preview?.length ?? 0) > output.length;
    return (
      <div className="min-w-0 overflow-hidden px-2 py-1.5">
        <div className="mb-0.5 flex items-center gap-1.5">
          <PassBadge share={column.pass[index] ?? null} error={error} />
          {column.score[index] !== null && column.score[index] !== undefined && <span className="text-[11px] tabular-nums text-slate-500">score {column.score[index]?.toFixed(2)}</span>}
          {(column.repeats[index] ?? 0) > 1 && <span className="text-[11px] text-slate-400">{column.repeats[index]} repeats</span>}
          {(column.cached[index] ?? 0) > 0 && <span className="text-[11px] text-violet-600">cached</span>}
        </div>
        {column.repeats[index] === 0 ? (
          <p className="text-xs italic text-slate-400">no result yet</p>
        ) : preview === undefined ? (
          <div className="space-y-1.5 pt-1" aria-label="loading output">
            <div className="h-2 w-11/12 animate-pulse rounded bg-slate-100" />
            <div className="h-2 w-3/4 animate-pulse rounded bg-slate-100" />
          </div>
        ) : error !== null && output === null ? (
          <p className="line-clamp-3 text-xs text-red-700">{error}</p>
        ) : (
          <p className="line-clamp-4 whitespace-pre-wrap break-words font-mono text-[11.5px] leading-[15px] text-slate-800">
            <DiffText parts={parts} side={which} fallback={output ?? ""} />
            {truncated && <span className="text-slate-400">…</span>}
          </p>
        )}
      </div>
    );
  };
  const metric = (label: string, valueA: string, valueB: string) => (
    <div className="grid grid-cols-[44px_1fr_1fr] gap-x-1">
      <span className="text-slate-400">{label}</span>
      <span className="truncate tabular-nums text-slate-700">{valueA}</span>
      <span className="truncate tabular-nums text-slate-700">{valueB}</span>
    </div>
  );
  const number = (value: number | null | undefined, format: (value: number) => string) => (value === null || value === undefined ? "—" : format(value));
  return (
    <div
      role="button"
      tabIndex={0}
      onClick={() => onOpen(index)}
      onKeyDown={(event) => event.key === "Enter" && onOpen(index)}
      className={`grid h-full cursor-pointer grid-cols-[minmax(150px,200px)_1fr_1fr_210px] border-b border-slate-100 text-left hover:bg-slate-50 ${selected ? "bg-brand-50" : "bg-white"} ${cases.analysed[index] ? "" : "opacity-70"}`}
      data-testid="case-row"
    >
      <div className="min-w-0 overflow-hidden px-3 py-1.5">
        <div className="flex items-center gap-1.5">
          <div className="min-w-0 truncate font-mono text-xs font-medium text-slate-800" title={cases.keys[index]}>{cases.keys[index]}</div>
          {comments > 0 && (
            <span className="badge ml-auto shrink-0 bg-brand-50 px-1 py-0 text-[10px] text-brand-700" title={`${comments} comment${comments === 1 ? "" : "s"} on this case`} data-testid="case-comment-count">
              💬 {comments}
            </span>
          )}
        </div>
        <p className="line-clamp-3 text-[11px] leading-[14px] text-slate-500">{cases.inputs[index]}</p>
        <div className="mt-0.5 flex gap-1 overflow-hidden">
          {(cases.tags[index] ?? []).slice(0, 3).map((tag) => (
            <span key={tag} className="badge whitespace-nowrap bg-slate-100 px-1 py-0 text-[10px] text-slate-600">{cases.tagNames[tag]}</span>
          ))}
        </div>
      </div>
      {side(columnA, "a", previewA)}
      {side(columnB, "b", previewB)}
      <div className="space-y-0.5 px-2 py-1.5 text-[11px]">
        {metric("latency", number(columnA?.latency[index], (value) => formatDuration(value)), number(columnB?.latency[index], (value) => formatDuration(value)))}
        {metric("TTFT", number(columnA?.ttft[index], (value) => formatDuration(value)), number(columnB?.ttft[index], (value) => formatDuration(value)))}
        {metric("tokens", `${number(columnA?.inputTokens[index], (value) => formatTokens(value))}→${number(columnA?.outputTokens[index], (value) => formatTokens(value))}`, `${number(columnB?.inputTokens[index], (value) => formatTokens(value))}→${number(columnB?.outputTokens[index], (value) => formatTokens(value))}`)}
        {metric("cost", number(columnA?.cost[index], (value) => formatMoney(value)), number(columnB?.cost[index], (value) => formatMoney(value)))}
      </div>
    </div>
  );
});

export function CaseList(props: {
  cases: CaseColumns;
  variants: CompareVariant[];
  a: number;
  b: number;
  tag: string | null;
  onTag: (tag: string | null) => void;
  onOpen: (index: number, visible: number[]) => void;
  openIndex: number | null;
  firstOutputs: OutputPreviews;
  /** case key → comments anchored to it */
  commentCounts?: ReadonlyMap<string, number>;
  /** MEMBER_API, or a share link's /api/s/<token> */
  apiBase?: string;
}) {
  const { cases, a, b } = props;
  const apiBase = props.apiBase ?? MEMBER_API;
  const [filter, setFilter] = useState<CaseFilter>("all");
  const [sort, setSort] = useState<CaseSort>("suite");
  const [search, setSearch] = useState("");
  const query = search.trim().toLowerCase();
  const scrollRef = useRef<HTMLDivElement>(null);
  const variantIds = [props.variants[a]?.id ?? "", props.variants[b]?.id ?? ""];
  const outputs = useOutputs(variantIds, props.firstOutputs, apiBase);
  const serverSearch = useServerSearch(variantIds, query, apiBase);
  const letterA = props.variants[a]?.letter ?? "A";
  const letterB = props.variants[b]?.letter ?? "B";
  const tagIndex = props.tag === null ? -1 : cases.tagNames.indexOf(props.tag);

  const counts = useMemo(() => {
    const result = new Map<CaseFilter, number>();
    for (const { value } of FILTERS) {
      let count = 0;
      for (let index = 0; index < cases.keys.length; index++) if (matchesFilter(cases, a, b, index, value)) count++;
      result.set(value, count);
    }
    return result;
  }, [cases, a, b]);

  const visible = useMemo(() => {
    const indices: number[] = [];
    for (let index = 0; index < cases.keys.length; index++) {
      if (!matchesFilter(cases, a, b, index, filter)) continue;
      if (tagIndex !== -1 && !(cases.tags[index] ?? []).includes(tagIndex)) continue;
      if (query) {
        // Keys and inputs match at once; outputs (and full inputs) once the server has answered.
        const local = `${cases.keys[index]}\n${cases.inputs[index]}`.toLowerCase().includes(query);
        if (!local && !serverSearch.keys?.has(cases.keys[index] as string)) continue;
      }
      indices.push(index);
    }
    return sortCases(indices, cases, a, b, sort);
  }, [cases, a, b, filter, tagIndex, query, serverSearch.keys, sort]);

  const virtualizer = useVirtualizer({ count: visible.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 6 });
  const items = virtualizer.getVirtualItems();
  const firstItem = items[0]?.index ?? 0;
  const lastItem = items.at(-1)?.index ?? 0;
  useEffect(() => {
    const keys = visible.slice(Math.max(0, firstItem - 10), lastItem + PREFETCH).map((index) => cases.keys[index] as string);
    outputs.request(keys);
    // `outputs` is deliberately left out: the visible window, not the store, decides what to fetch.
  }, [visible, firstItem, lastItem, cases.keys, variantIds[0], variantIds[1]]);

  const onOpenRef = useRef(props.onOpen);
  onOpenRef.current = props.onOpen;
  const visibleRef = useRef(visible);
  visibleRef.current = visible;
  // Stable across renders, so memoized rows do not re-render when the list does.
  const [openRow] = useState(() => (index: number) => onOpenRef.current(index, visibleRef.current));

  return (
    <div data-testid="case-list">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2">
        <div className="flex flex-wrap gap-1" role="radiogroup" aria-label="Filter cases">
          {FILTERS.filter((item) => item.value !== "incomplete" || (counts.get("incomplete") ?? 0) > 0).map((item) => (
            <button
              key={item.value}
              role="radio"
              aria-checked={filter === item.value}
              onClick={() => setFilter(item.value)}
              className={`rounded-full border px-2.5 py-0.5 text-xs ${filter === item.value ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
              data-testid={`filter-${item.value}`}
            >
              {item.label.replace(/\bA\b/, letterA).replace(/\bB\b/, letterB)} <span className="tabular-nums opacity-75">{(counts.get(item.value) ?? 0).toLocaleString("en-US")}</span>
            </button>
          ))}
        </div>
        <div className="ml-auto flex items-center gap-2">
          {cases.tagNames.length > 0 && (
            <select className="input w-auto py-1 text-xs" value={props.tag ?? ""} onChange={(event) => props.onTag(event.target.value || null)} aria-label="Tag" data-testid="tag-filter">
              <option value="">All tags</option>
              {[...cases.tagNames].sort().map((tag) => (
                <option key={tag} value={tag}>{tag}</option>
              ))}
            </select>
          )}
          <select className="input w-auto py-1 text-xs" value={sort} onChange={(event) => setSort(event.target.value as CaseSort)} aria-label="Sort">
            {SORTS.map((item) => (
              <option key={item.value} value={item.value}>{item.label.replace(/\bB\b/, letterB)}</option>
            ))}
          </select>
          <input className="input w-48 py-1 text-xs" placeholder="Search key, input, outputs" value={search} onChange={(event) => setSearch(event.target.value)} data-testid="case-search" />
          {serverSearch.searching && <span className="text-xs text-slate-400">searching…</span>}
          {serverSearch.error && <span role="alert" className="text-xs text-red-600">Search failed: {serverSearch.error}</span>}
        </div>
      </div>
      <div className="grid grid-cols-[minmax(150px,200px)_1fr_1fr_210px] border-b border-slate-200 bg-slate-50 text-xs font-medium text-slate-600">
        <div className="px-3 py-1.5">Case · {visible.length.toLocaleString("en-US")} shown</div>
        {[a, b].map((index) => (
          <div key={index} className="flex items-center gap-1.5 px-2 py-1.5" style={{ borderTop: `2px solid ${variantColor(index)}` }}>
            <LetterBadge letter={props.variants[index]?.letter ?? "?"} index={index} size="sm" />
            <span className="truncate">{props.variants[index]?.label}</span>
          </div>
        ))}
        <div className="grid grid-cols-[44px_1fr_1fr] gap-x-1 px-2 py-1.5">
          <span />
          <span>{letterA}</span>
          <span>{letterB}</span>
        </div>
      </div>
      <div ref={scrollRef} className="h-[min(70vh,720px)] overflow-auto" data-testid="case-scroll">
        {visible.length === 0 ? (
          <p className="p-6 text-center text-sm text-slate-500">No case matches these filters.</p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {items.map((item) => {
              const index = visible[item.index] as number;
              const key = cases.keys[index] as string;
              return (
                <div key={item.key} style={{ position: "absolute", top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}>
                  <CaseRow
                    cases={cases}
                    index={index}
                    a={a}
                    b={b}
                    onOpen={openRow}
                    selected={props.openIndex === index}
                    previewA={outputs.get(variantIds[0] as string, key)}
                    previewB={outputs.get(variantIds[1] as string, key)}
                    comments={props.commentCounts?.get(key) ?? 0}
                  />
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
