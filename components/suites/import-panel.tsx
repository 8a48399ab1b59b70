"use client";
import { useRef, useState, type FormEvent } from "react";
import { ApiError, workspaceHeaders } from "@/lib/ui/api";
import { formatCount } from "@/lib/format";
import type { FieldProblem, ImportSummaryView } from "./types";

interface ImportFailure {
  file: string;
  message: string;
  details: FieldProblem[];
  /** replace would delete stored results: offer to confirm */
  needsDiscard: boolean;
}

/** Uploads a case file as the raw request body; the server streams it into the parser. */
async function upload(suiteId: string, file: File, mode: "append" | "replace", discardResults: boolean): Promise<ImportSummaryView> {
  const query = new URLSearchParams({ filename: file.name, mode, discardResults: String(discardResults) });
  const response = await fetch(`/api/suites/${suiteId}/import?${query}`, {
    method: "POST",
    body: file,
    headers: workspaceHeaders({ "content-type": file.type || "application/octet-stream" }),
  });
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, "invalid_response", `The server answered ${response.status} with non-JSON content.`, []);
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: FieldProblem[] } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? "error", error?.message ?? `Import failed (${response.status})`, error?.details ?? []);
  }
  return data as ImportSummaryView;
}

export function ImportPanel(props: { suiteId: string; caseCount: number; onImported: (summary: ImportSummaryView) => void; onClose: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<"append" | "replace">("append");
  const [discardResults, setDiscardResults] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ImportFailure | null>(null);
  const [done, setDone] = useState<ImportSummaryView | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setFailure(null);
    setDone(null);
    try {
      const summary = await upload(props.suiteId, file, mode, discardResults);
      setDone(summary);
      setFile(null);
      if (input.current) input.current.value = "";
      props.onImported(summary);
    } catch (caught) {
      const details = caught instanceof ApiError ? caught.details : [];
      setFailure({
        file: file.name,
        message: caught instanceof Error ? caught.message : String(caught),
        details: details.length > 1 ? details : [],
        needsDiscard: caught instanceof ApiError && caught.code === "conflict" && mode === "replace",
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-3 border-b border-slate-200 bg-slate-50 px-4 py-3" data-testid="import-panel">
      <div className="flex flex-wrap items-end gap-4">
        <label className="block">
          <span className="label">Case file (.csv, .jsonl, .json)</span>
          <input
            ref={input}
            type="file"
            accept=".csv,.jsonl,.ndjson,.json,text/csv,application/json"
            className="block text-sm file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-700 hover:file:bg-slate-50"
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setFailure(null);
              setDone(null);
            }}
            data-testid="import-file"
          />
        </label>
        <fieldset className="flex items-center gap-3 text-sm">
          <label className="flex items-center gap-1.5">
            <input type="radio" name="import-mode" checked={mode === "append"} onChange={() => setMode("append")} className="accent-brand-600" />
            Append to the {formatCount(props.caseCount)} cases
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="import-mode" checked={mode === "replace"} onChange={() => setMode("replace")} className="accent-brand-600" data-testid="import-replace" />
            Replace all cases
          </label>
        </fieldset>
        {mode === "replace" && (
          <label className="flex items-center gap-1.5 text-sm text-amber-800">
            <input type="checkbox" checked={discardResults} onChange={(event) => setDiscardResults(event.target.checked)} className="accent-amber-600" />
            also delete run results recorded for the old cases
          </label>
        )}
        <div className="flex gap-2">
          <button className="btn-primary" disabled={!file || busy} data-testid="import-submit">{busy ? "Importing…" : "Import"}</button>
          <button type="button" className="btn" onClick={props.onClose}>Close</button>
        </div>
      </div>
      <p className="text-xs text-slate-500">
        CSV: a header row; columns <code className="kbd">key</code>, <code className="kbd">expected</code>, <code className="kbd">tags</code> (separated by | or ,), <code className="kbd">assertions</code> (JSON), every other column is a variable.
        JSONL/JSON: objects with <code className="kbd">key</code>, <code className="kbd">variables</code>, <code className="kbd">expected</code>, <code className="kbd">tags</code>, <code className="kbd">assertions</code>.
        A bad row stops the import and nothing is changed.
      </p>
      {failure && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="import-error">
          <div className="font-medium">Nothing was imported from {failure.file}.</div>
          <div className="mt-0.5 font-mono text-xs">{failure.message}</div>
          {failure.details.length > 0 && (
            <ul className="mt-1 list-inside list-disc font-mono text-xs">
              {failure.details.slice(1, 11).map((detail, index) => (
                <li key={index}>{detail.path ? `${detail.path}: ` : ""}{detail.message}</li>
              ))}
            </ul>
          )}
          {failure.needsDiscard && <div className="mt-1 text-xs">Tick “also delete run results” to replace anyway.</div>}
        </div>
      )}
      {done && (
        <p className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-testid="import-done">
          Imported {formatCount(done.imported)} case{done.imported === 1 ? "" : "s"}
          {done.mode === "replace" ? `, replacing ${formatCount(done.replaced)}` : ""}.
          {done.imported === 0 && " The file held no cases."}
        </p>
      )}
    </form>
  );
}
