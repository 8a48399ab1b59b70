"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api, ApiError, errorText } from "@/lib/ui/api";
import { formatCount, formatTime } from "@/lib/format";
import type { SuiteView } from "./types";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

export function SuitesList(props: { suites: SuiteView[]; canWrite: boolean; canRun: boolean }) {
  const inWorkspace = useWorkspacePath();
  const router = useRouter();
  const [creating, setCreating] = useState(props.suites.length === 0 && props.canWrite);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState("");

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const suite = await api<SuiteView>("/api/suites", { body: { name, description } });
      router.push(inWorkspace(`/suites/${suite.id}`));
    } catch (caught) {
      const field = caught instanceof ApiError ? (caught.details[0]?.path ?? null) : null;
      setError({ field, message: errorText(caught) });
      setBusy(false);
    }
  }

  const shown = props.suites.filter((suite) => `${suite.name} ${suite.description}`.toLowerCase().includes(filter.trim().toLowerCase()));

  return (
    <div className="space-y-4 p-6">
      <div className="flex items-center justify-between gap-3">
        <input className="input max-w-xs" placeholder="Filter suites…" value={filter} onChange={(event) => setFilter(event.target.value)} aria-label="Filter suites" />
        {props.canWrite && !creating && (
          <button className="btn-primary" onClick={() => setCreating(true)} data-testid="new-suite">+ New suite</button>
        )}
      </div>

      {creating && (
        <form onSubmit={create} className="card space-y-3 p-4" data-testid="new-suite-form">
          <h2 className="text-sm font-semibold">New suite</h2>
          <div className="grid grid-cols-1 gap-3 md:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
            <label className="block">
              <span className="label">Name</span>
              <input
                className={`input ${error?.field === "name" ? "border-red-400" : ""}`}
                value={name}
                onChange={(event) => setName(event.target.value)}
                placeholder="support-triage regression"
                autoFocus
                data-testid="suite-name"
              />
            </label>
            <label className="block">
              <span className="label">Description (optional)</span>
              <input className="input" value={description} onChange={(event) => setDescription(event.target.value)} placeholder="What these cases check, where they come from" data-testid="suite-description" />
            </label>
          </div>
          {error && <p role="alert" className="text-sm text-red-600" data-testid="suite-error">{error.message}</p>}
          <div className="flex gap-2">
            <button className="btn-primary" disabled={busy || name.trim() === ""} data-testid="create-suite">{busy ? "Creating…" : "Create suite"}</button>
            {props.suites.length > 0 && <button type="button" className="btn" onClick={() => setCreating(false)}>Cancel</button>}
          </div>
          <p className="text-xs text-slate-500">Then add cases one by one, or import a CSV, JSONL or JSON file.</p>
        </form>
      )}

      {props.suites.length === 0 ? (
        !creating && (
          <div className="card p-10 text-center text-sm text-slate-500">
            No suites yet. A suite is a set of test cases (variables, expected output, tags) with assertions; runs evaluate prompt versions and models on it.
          </div>
        )
      ) : (
        <div className="card overflow-hidden">
          <table className="w-full text-sm" data-testid="suites-table">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2">Suite</th>
                <th className="px-4 py-2 text-right">Cases</th>
                <th className="px-4 py-2 text-right">Default assertions</th>
                <th className="px-4 py-2">Updated</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {shown.map((suite) => (
                <tr key={suite.id} className="hover:bg-slate-50" data-testid="suite-row">
                  <td className="px-4 py-2.5">
                    <Link href={inWorkspace(`/suites/${suite.id}`)} className="font-medium text-brand-700 hover:underline">{suite.name}</Link>
                    {suite.description && <div className="max-w-xl truncate text-xs text-slate-500">{suite.description}</div>}
                  </td>
                  <td className="px-4 py-2.5 text-right tabular-nums">{formatCount(suite.caseCount)}</td>
                  <td className="px-4 py-2.5 text-right tabular-nums">{suite.assertions.length}</td>
                  <td className="px-4 py-2.5 text-slate-500">{formatTime(suite.updatedAt)}</td>
                  <td className="px-4 py-2.5 text-right">
                    {props.canRun && <Link href={inWorkspace(`/runs/new?suite=${suite.id}`)} className="text-xs font-medium text-brand-700 hover:underline">Run ▸</Link>}
                  </td>
                </tr>
              ))}
              {shown.length === 0 && (
                <tr>
                  <td colSpan={5} className="px-4 py-6 text-center text-sm text-slate-500">No suite matches “{filter}”.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
