"use client";
import { useCallback, useRef, useState } from "react";
import { api, errorText } from "@/lib/ui/api";
import { formatCount } from "@/lib/format";
import { CaseEditor, variableText } from "./case-editor";
import { ImportPanel } from "./import-panel";
import type { CasePageView, CaseView } from "./types";

const PAGE_SIZE = 50;

function mergeNames(names: string[], cases: CaseView[]): string[] {
  const merged = [...names];
  for (const item of cases) for (const name of Object.keys(item.variables)) if (!merged.includes(name)) merged.push(name);
  return merged;
}

function Cell({ text, mono = true }: { text: string; mono?: boolean }) {
  if (text === "") return <span className="text-slate-300">—</span>;
  return (
    <div className={`line-clamp-3 whitespace-pre-wrap break-words ${mono ? "font-mono text-xs" : ""}`} title={text.length > 80 ? text : undefined}>
      {text}
    </div>
  );
}

/** The suite's cases, a page at a time, with inline add/edit/delete, import and export. */
export function CasesTable(props: { suiteId: string; initial: CasePageView; canWrite: boolean; onCountChange: (count: number) => void }) {
  const [page, setPage] = useState<CasePageView>(props.initial);
  const [tag, setTag] = useState("");
  const [appliedTag, setAppliedTag] = useState("");
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [importing, setImporting] = useState(false);
  // Columns: every variable seen so far, in first-seen order, so columns do not jump between pages.
  const [variableNames, setVariableNames] = useState<string[]>(() => mergeNames([], props.initial.cases));
  const { onCountChange } = props;
  const sequence = useRef(0);

  const load = useCallback(
    async (offset: number, filterTag: string, resetColumns = false) => {
      const id = ++sequence.current;
      setLoading(true);
      try {
        const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE_SIZE) });
        if (filterTag) query.set("tag", filterTag);
        const next = await api<CasePageView>(`/api/suites/${props.suiteId}/cases?${query}`);
        if (id !== sequence.current) return;
        // A page past the end (after deleting the last case of the last page) steps back one page.
        if (next.cases.length === 0 && next.total > 0 && offset > 0) {
          await load(Math.max(0, Math.floor((next.total - 1) / PAGE_SIZE) * PAGE_SIZE), filterTag);
          return;
        }
        setPage(next);
        setVariableNames((current) => mergeNames(resetColumns ? [] : current, next.cases));
        setError(null);
        if (!filterTag) onCountChange(next.total);
      } catch (caught) {
        if (id === sequence.current) setError(errorText(caught));
      } finally {
        if (id === sequence.current) setLoading(false);
      }
    },
    [props.suiteId, onCountChange],
  );

  async function remove(item: CaseView) {
    if (!window.confirm(`Delete case "${item.key}"? Run results recorded for it are deleted too.`)) return;
    try {
      await api(`/api/suites/${props.suiteId}/cases/${item.id}`, { method: "DELETE" });
      await load(page.offset, appliedTag);
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  function saved(item: CaseView) {
    const added = editing === "new";
    setEditing(null);
    if (added) {
      // New cases go at the end: show the last page, where it now is.
      const total = page.total + 1;
      void load(appliedTag ? 0 : Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE, appliedTag);
    } else {
      setPage((current) => ({ ...current, cases: current.cases.map((row) => (row.id === item.id ? item : row)) }));
      setVariableNames((current) => mergeNames(current, [item]));
    }
  }

  const columnCount = variableNames.length + 6;
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = Math.min(page.offset + page.cases.length, page.total);

  return (
    <div className="card overflow-hidden" data-testid="cases">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2.5">
        <form
          className="flex items-center gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            setAppliedTag(tag.trim());
            void load(0, tag.trim());
          }}
        >
          <input className="input w-44! py-1 text-xs" placeholder="Filter by tag" value={tag} onChange={(event) => setTag(event.target.value)} aria-label="Filter by tag" data-testid="tag-filter" />
          {appliedTag && (
            <button type="button" className="text-xs text-slate-500 hover:text-slate-800" onClick={() => { setTag(""); setAppliedTag(""); void load(0, ""); }}>
              Clear “{appliedTag}”
            </button>
          )}
        </form>
        <div className="flex-1" />
        <span className="text-xs text-slate-500">Export</span>
        {(["csv", "jsonl", "json"] as const).map((format) => (
          <a key={format} className="btn px-2 py-1 text-xs uppercase" href={`/api/suites/${props.suiteId}/export?format=${format}`} download data-testid={`export-${format}`}>
            {format}
          </a>
        ))}
        {props.canWrite && (
          <>
            <button className="btn py-1 text-xs" onClick={() => setImporting(!importing)} data-testid="import-open">Import…</button>
            <button className="btn-primary py-1 text-xs" onClick={() => setEditing("new")} disabled={editing === "new"} data-testid="add-case">+ Case</button>
          </>
        )}
      </div>
      {importing && (
        <ImportPanel
          suiteId={props.suiteId}
          caseCount={page.total}
          onClose={() => setImporting(false)}
          onImported={() => void load(0, appliedTag, true)}
        />
      )}
      {error && <p role="alert" className="border-b border-red-100 bg-red-50 px-4 py-2 text-sm text-red-700">{error}</p>}
      {editing === "new" && (
        <div className="border-b border-slate-200">
          <CaseEditor suiteId={props.suiteId} existing={null} variableNames={variableNames} onSaved={saved} onCancel={() => setEditing(null)} />
        </div>
      )}
      <div className="overflow-x-auto">
        <table className={`w-full text-sm ${loading ? "opacity-60" : ""}`} data-testid="cases-table">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
            <tr>
              <th className="w-12 px-3 py-2 text-right">#</th>
              <th className="px-3 py-2">Key</th>
              {variableNames.map((name) => (
                <th key={name} className="px-3 py-2 font-mono font-medium text-slate-600">{name}</th>
              ))}
              <th className="px-3 py-2">Expected</th>
              <th className="px-3 py-2">Tags</th>
              <th className="px-3 py-2 text-right" title="Assertions of this case, added to the suite's defaults">Assertions</th>
              <th className="w-24 px-3 py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.cases.map((item) =>
              editing === item.id ? (
                <tr key={item.id}>
                  <td colSpan={columnCount} className="p-0">
                    <CaseEditor suiteId={props.suiteId} existing={item} variableNames={variableNames} onSaved={saved} onCancel={() => setEditing(null)} />
                  </td>
                </tr>
              ) : (
                <tr key={item.id} className="group align-top hover:bg-slate-50" data-testid="case-row">
                    <td className="px-3 py-2 text-right text-xs tabular-nums text-slate-400">{item.position + 1}</td>
                    <td className="max-w-40 px-3 py-2 font-mono text-xs text-slate-700"><Cell text={item.key} /></td>
                    {variableNames.map((name) => (
                      <td key={name} className="max-w-80 min-w-32 px-3 py-2"><Cell text={variableText(item.variables[name])} /></td>
                    ))}
                    <td className="max-w-72 min-w-28 px-3 py-2"><Cell text={item.expected ?? ""} /></td>
                    <td className="px-3 py-2">
                      <div className="flex max-w-48 flex-wrap gap-1">
                        {item.tags.map((name) => (
                          <button key={name} className="badge bg-slate-100 text-slate-600 hover:bg-slate-200" onClick={() => { setTag(name); setAppliedTag(name); void load(0, name); }} title={`Show cases tagged ${name}`}>
                            {name}
                          </button>
                        ))}
                      </div>
                    </td>
                    <td className="px-3 py-2 text-right">
                      {item.assertions.length > 0 ? (
                        <span className="badge bg-violet-100 text-violet-700" title={item.assertions.map((assertion) => assertion.type).join(", ")}>
                          +{item.assertions.length}
                        </span>
                      ) : (
                        <span className="text-xs text-slate-300">—</span>
                      )}
                    </td>
                    <td className="px-3 py-2 text-right">
                      {props.canWrite && (
                        <span className="invisible flex justify-end gap-2 text-xs group-hover:visible group-focus-within:visible">
                          <button className="text-brand-700 hover:underline" onClick={() => setEditing(item.id)} data-testid="edit-case">Edit</button>
                          <button className="text-red-600 hover:underline" onClick={() => remove(item)} data-testid="delete-case">Delete</button>
                        </span>
                      )}
                    </td>
                </tr>
              ),
            )}
            {page.cases.length === 0 && (
              <tr>
                <td colSpan={columnCount} className="px-4 py-10 text-center text-sm text-slate-500" data-testid="cases-empty">
                  {appliedTag ? `No case is tagged “${appliedTag}”.` : props.canWrite ? "No cases yet. Add one, or import a CSV, JSONL or JSON file." : "No cases yet."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="flex items-center justify-between border-t border-slate-200 px-4 py-2 text-xs text-slate-500">
        <span data-testid="cases-range">
          {page.total === 0 ? "0 cases" : `${formatCount(first)}–${formatCount(last)} of ${formatCount(page.total)} case${page.total === 1 ? "" : "s"}`}
          {appliedTag && ` tagged “${appliedTag}”`}
        </span>
        <div className="flex gap-2">
          <button className="btn px-2 py-1 text-xs" disabled={loading || page.offset === 0} onClick={() => load(Math.max(0, page.offset - PAGE_SIZE), appliedTag)}>← Previous</button>
          <button className="btn px-2 py-1 text-xs" disabled={loading || last >= page.total} onClick={() => load(page.offset + PAGE_SIZE, appliedTag)} data-testid="cases-next">Next →</button>
        </div>
      </div>
    </div>
  );
}
