"use client";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { api, errorText } from "@/lib/ui/api";
import { formatDay, localDayKey } from "@/lib/format";
import { KIND_GROUP_LABELS, KIND_GROUP_NAMES, type ActivityFilterOptions, type ActivityItem, type ActivityPage, type KindGroup } from "@/lib/activity/types";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { ActivityLine } from "./activity-line";

export interface ActivityFilters {
  actor: string | null;
  prompt: string | null;
  kinds: KindGroup[];
}

/** The filters as the URL and the API name them: ?actor=&prompt=&kind=runs,reviews */
export function filterQuery(filters: ActivityFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.actor) query.set("actor", filters.actor);
  if (filters.prompt) query.set("prompt", filters.prompt);
  if (filters.kinds.length > 0) query.set("kind", filters.kinds.join(","));
  return query;
}

/** How often the feed looks for lines newer than the top one (only while the tab is visible). */
const POLL_MS = 20_000;

interface Day {
  key: string;
  heading: string;
  items: ActivityItem[];
}

function byDay(items: readonly ActivityItem[]): Day[] {
  const days: Day[] = [];
  for (const item of items) {
    const key = localDayKey(item.createdAt);
    const last = days.at(-1);
    if (last && last.key === key) last.items.push(item);
    else days.push({ key, heading: formatDay(item.createdAt), items: [item] });
  }
  return days;
}

function Chip(props: { on: boolean; onClick: () => void; testId: string; children: ReactNode }) {
  return (
    <button
      type="button"
      className={`rounded-full border px-2.5 py-1 text-xs ${props.on ? "border-brand-500 bg-brand-50 font-medium text-brand-700" : "border-slate-200 text-slate-600 hover:bg-slate-100"}`}
      aria-pressed={props.on}
      onClick={props.onClick}
      data-testid={props.testId}
    >
      {props.children}
    </button>
  );
}

export function ActivityFeed(props: { initial: ActivityPage; filters: ActivityFilters; options: ActivityFilterOptions }) {
  const router = useRouter();
  const pathname = usePathname();
  const inWorkspace = useWorkspacePath();
  const [items, setItems] = useState(props.initial.items);
  const [cursor, setCursor] = useState(props.initial.nextCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<ActivityItem[]>([]);
  const { filters } = props;
  const filtered = filters.actor !== null || filters.prompt !== null || filters.kinds.length > 0;
  const newestId = fresh[0]?.id ?? items[0]?.id ?? null;
  const filterKey = filterQuery(filters).toString();

  // Teammates keep working while one reads: newer lines are announced above the feed, not pushed under the reader.
  useEffect(() => {
    const timer = setInterval(async () => {
      if (document.visibilityState !== "visible") return;
      try {
        const page = await api<ActivityPage>(`/api/activity?${filterKey}${filterKey ? "&" : ""}limit=50`);
        const known = newestId ? page.items.findIndex((item) => item.id === newestId) : page.items.length;
        const newer = known < 0 ? page.items : page.items.slice(0, known);
        if (newer.length > 0) setFresh((current) => [...newer, ...current.filter((item) => !newer.some((next) => next.id === item.id))]);
      } catch (caught) {
        setError(errorText(caught));
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [filterKey, newestId]);

  function showFresh() {
    setItems((current) => [...fresh, ...current.filter((item) => !fresh.some((next) => next.id === item.id))]);
    setFresh([]);
  }

  // Filters live in the URL, so a filtered feed can be linked and survives a reload; the page reloads its first page.
  function apply(next: ActivityFilters) {
    const query = filterQuery(next).toString();
    router.push(query ? `${pathname}?${query}` : pathname);
  }

  function toggleKind(group: KindGroup) {
    const kinds = filters.kinds.includes(group) ? filters.kinds.filter((kind) => kind !== group) : [...filters.kinds, group];
    apply({ ...filters, kinds: KIND_GROUP_NAMES.filter((name) => kinds.includes(name)) });
  }

  async function loadMore() {
    if (!cursor) return;
    setLoading(true);
    try {
      const query = filterQuery(filters);
      query.set("cursor", cursor);
      const page = await api<ActivityPage>(`/api/activity?${query.toString()}`);
      setItems((current) => [...current, ...page.items.filter((item) => !current.some((shown) => shown.id === item.id))]);
      setCursor(page.nextCursor);
      setError(null);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setLoading(false);
    }
  }

  const days = byDay(items);
  const today = days[0]?.heading === "Today" ? days[0].key : null;

  return (
    <div className="mx-auto max-w-3xl space-y-5 p-6" data-testid="activity-feed">
      <div className="card space-y-3 p-3">
        <div className="flex flex-wrap items-end gap-3">
          <label className="w-48">
            <span className="label">Person</span>
            <select className="input" value={filters.actor ?? ""} onChange={(event) => apply({ ...filters, actor: event.target.value || null })} data-testid="filter-person">
              <option value="">Everyone</option>
              {props.options.people.map((person) => (
                <option key={person.id} value={person.id}>{person.name}</option>
              ))}
            </select>
          </label>
          <label className="w-56">
            <span className="label">Prompt</span>
            <select className="input" value={filters.prompt ?? ""} onChange={(event) => apply({ ...filters, prompt: event.target.value || null })} data-testid="filter-prompt">
              <option value="">All prompts</option>
              {props.options.prompts.map((prompt) => (
                <option key={prompt.id} value={prompt.id}>{prompt.name}</option>
              ))}
            </select>
          </label>
          {filtered && (
            <button
              type="button"
              className="mb-2 ml-auto text-xs text-slate-500 underline hover:text-slate-700"
              onClick={() => apply({ actor: null, prompt: null, kinds: [] })}
              data-testid="clear-filters"
            >
              Clear filters
            </button>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Kinds of activity">
          <span className="mr-1 text-xs font-medium text-slate-600">Show</span>
          <Chip on={filters.kinds.length === 0} onClick={() => apply({ ...filters, kinds: [] })} testId="kind-chip-all">
            Everything
          </Chip>
          {KIND_GROUP_NAMES.map((group) => (
            <Chip key={group} on={filters.kinds.includes(group)} onClick={() => toggleKind(group)} testId={`kind-chip-${group}`}>
              {KIND_GROUP_LABELS[group]}
            </Chip>
          ))}
        </div>
      </div>

      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}

      {fresh.length > 0 && (
        <button type="button" className="btn w-full border-brand-500 bg-brand-50 text-brand-700 hover:bg-brand-100" onClick={showFresh} data-testid="show-new-activity">
          {fresh.length === 1 ? "1 new event" : `${fresh.length >= 50 ? "50+" : fresh.length} new events`} — show
        </button>
      )}

      {items.length === 0 ? (
        <div className="card p-10 text-center text-sm text-slate-500" data-testid="activity-empty">
          {filtered
            ? "Nothing matches these filters yet."
            : "No activity yet. Saving a prompt version, starting a run, opening a comparison or asking for a review shows up here for the whole team."}
        </div>
      ) : (
        days.map((day) => (
          <section key={day.key} data-testid="activity-day" aria-label={day.heading}>
            <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500" suppressHydrationWarning>{day.heading}</h2>
            <ol className="card divide-y divide-slate-100">
              {day.items.map((item) => (
                <ActivityLine key={item.id} item={item} href={item.path ? inWorkspace(item.path) : null} when={day.key === today ? "relative" : "clock"} />
              ))}
            </ol>
          </section>
        ))
      )}

      {cursor && (
        <div className="text-center">
          <button type="button" className="btn" onClick={loadMore} disabled={loading} data-testid="load-more">
            {loading ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </div>
  );
}
