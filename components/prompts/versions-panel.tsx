"use client";
import { useState } from "react";
import { can, labelAction, refusal, type Role } from "@/lib/auth/permissions";
import { api, errorText } from "@/lib/ui/api";
import { formatTime } from "@/lib/format";
import { VersionDiffView, type VersionDiff } from "./version-diff";
import type { VersionFull, VersionSummary } from "./types";

export function VersionsPanel(props: {
  promptId: string;
  versions: VersionSummary[];
  currentId: string;
  role: Role;
  onOpen: (version: VersionFull) => void;
  onVersionsChange: (versions: VersionSummary[]) => void;
}) {
  const [selected, setSelected] = useState<string[]>([]);
  const [diff, setDiff] = useState<{ a: number; b: number; diff: VersionDiff } | null>(null);
  const [labelFor, setLabelFor] = useState<string | null>(null);
  // Editors move ordinary labels; protected ones (production) need an admin, so an editor's form starts at staging.
  const canLabel = can(props.role, "label.move");
  const mayMove = (name: string) => can(props.role, labelAction(name));
  const [labelName, setLabelName] = useState(mayMove("production") ? "production" : "staging");
  const [error, setError] = useState<string | null>(null);

  function toggle(id: string) {
    setSelected((current) => (current.includes(id) ? current.filter((item) => item !== id) : [...current.slice(-1), id]));
    setDiff(null);
  }

  async function showDiff() {
    const [first, second] = selected
      .map((id) => props.versions.find((version) => version.id === id)!)
      .sort((x, y) => x.number - y.number);
    if (!first || !second) return;
    try {
      const result = await api<VersionDiff>(`/api/prompts/${props.promptId}/diff?a=${first.id}&b=${second.id}`);
      setDiff({ a: first.number, b: second.number, diff: result });
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  async function open(id: string) {
    try {
      props.onOpen(await api<VersionFull>(`/api/prompts/${props.promptId}/versions/${id}`));
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  async function setLabel(versionId: string) {
    try {
      const result = await api<{ versions: VersionSummary[] }>(`/api/prompts/${props.promptId}/labels/${encodeURIComponent(labelName.trim())}`, { method: "PUT", body: { versionId } });
      props.onVersionsChange(result.versions);
      setLabelFor(null);
      setError(null);
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  async function removeLabel(name: string) {
    try {
      const result = await api<{ versions: VersionSummary[] }>(`/api/prompts/${props.promptId}/labels/${encodeURIComponent(name)}`, { method: "DELETE" });
      props.onVersionsChange(result.versions);
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  return (
    <div className="space-y-3" data-testid="versions">
      <div className="flex items-center justify-between">
        <p className="text-xs text-slate-500">Versions are immutable. Tick two to compare them.</p>
        <button className="btn" disabled={selected.length !== 2} onClick={showDiff} data-testid="diff-button">Diff selected</button>
      </div>
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
      {diff && <VersionDiffView a={diff.a} b={diff.b} diff={diff.diff} onClose={() => setDiff(null)} />}
      <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 bg-white">
        {props.versions.map((version) => (
          <li key={version.id} className={`flex items-start gap-3 p-3 ${version.id === props.currentId ? "bg-brand-50/40" : ""}`} data-testid="version-row">
            <input type="checkbox" className="mt-1 accent-brand-600" checked={selected.includes(version.id)} onChange={() => toggle(version.id)} aria-label={`Select v${version.number}`} />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-mono text-sm font-semibold">v{version.number}</span>
                {version.labels.map((label) => (
                  <span key={label} className={`badge ${label === "production" ? "bg-emerald-100 text-emerald-800" : label === "staging" ? "bg-amber-100 text-amber-800" : "bg-slate-100 text-slate-700"}`}>
                    {label}
                    {canLabel && mayMove(label) && <button className="ml-1 text-slate-400 hover:text-red-600" onClick={() => removeLabel(label)} aria-label={`Remove label ${label}`}>×</button>}
                  </span>
                ))}
                {version.id === props.currentId && <span className="text-xs text-brand-700">open in editor</span>}
              </div>
              <div className="mt-0.5 text-sm text-slate-700">{version.commitMessage || <span className="italic text-slate-400">no message</span>}</div>
              <div className="mt-0.5 text-xs text-slate-500">{version.author?.name ?? "seed"} · {formatTime(version.createdAt)}</div>
              {labelFor === version.id && (
                <div className="mt-2 flex gap-2">
                  <input className="input w-40 py-1 text-xs" value={labelName} onChange={(event) => setLabelName(event.target.value)} list="label-suggestions" aria-label="Label name" />
                  <datalist id="label-suggestions"><option value="production" /><option value="staging" /></datalist>
                  <button
                    className="btn py-1 text-xs"
                    onClick={() => setLabel(version.id)}
                    disabled={!mayMove(labelName.trim())}
                    title={mayMove(labelName.trim()) ? undefined : refusal(props.role, labelAction(labelName.trim()))}
                  >
                    Move label here
                  </button>
                  <button className="py-1 text-xs text-slate-500" onClick={() => setLabelFor(null)}>Cancel</button>
                </div>
              )}
            </div>
            <div className="flex shrink-0 gap-1">
              {canLabel && labelFor !== version.id && <button className="btn py-1 text-xs" onClick={() => setLabelFor(version.id)}>Label…</button>}
              {version.id !== props.currentId && <button className="btn py-1 text-xs" onClick={() => open(version.id)}>Open</button>}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
