"use client";
import Link from "next/link";
import { useState } from "react";
import { can, labelAction, refusal, type Role } from "@/lib/auth/permissions";
import { ReviewStateBadge } from "@/components/reviews/review-badge";
import { RequestReviewForm } from "@/components/reviews/request-review-form";
import { usePromptGate } from "@/components/reviews/use-prompt-gate";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { api, errorText } from "@/lib/ui/api";
import { formatTime } from "@/lib/format";
import { VersionDiffView, type VersionDiff } from "./version-diff";
import type { VersionFull, VersionSummary } from "./types";

export function VersionsPanel(props: {
  promptId: string;
  promptName: string;
  versions: VersionSummary[];
  currentId: string;
  role: Role;
  onOpen: (version: VersionFull) => void;
  onVersionsChange: (versions: VersionSummary[]) => void;
  /** a label moved or a review changed: the audit tab reloads */
  onAudited?: () => void;
}) {
  const [selected, setSelected] = useState<string[]>([]);
  const [diff, setDiff] = useState<{ a: number; b: number; diff: VersionDiff } | null>(null);
  const [labelFor, setLabelFor] = useState<string | null>(null);
  const [reviewFor, setReviewFor] = useState<string | null>(null);
  const href = useWorkspacePath();
  // The release gate (protected labels, approvals, reviews) is read again after every save and move.
  const { gate, error: gateError, refresh: refreshGate } = usePromptGate(props.promptId, props.versions);
  const protectedNames = gate?.protectedLabels.map((label) => label.name) ?? null;
  // Editors move ordinary labels; protected ones (production) need an admin, so an editor's form starts at staging.
  // Until the workspace's protected list has loaded, nothing counts as movable.
  const canLabel = can(props.role, "label.move");
  const canReview = can(props.role, "review.write");
  const canDistill = can(props.role, "model.call");
  const mayMove = (name: string) => protectedNames !== null && can(props.role, labelAction(name, protectedNames));
  const [labelName, setLabelName] = useState(can(props.role, "label.moveProtected") ? "production" : "staging");
  const readinessOf = (versionId: string, name: string) => gate?.versions[versionId]?.readiness[name] ?? null;
  /** why the label cannot move to this version, or null when it can */
  function blockedReason(versionId: string, name: string): string | null {
    if (protectedNames === null) return "Checking the release gate…";
    if (!can(props.role, labelAction(name, protectedNames))) return refusal(props.role, labelAction(name, protectedNames));
    return readinessOf(versionId, name)?.reason ?? null;
  }
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
      props.onAudited?.();
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  async function removeLabel(name: string) {
    try {
      const result = await api<{ versions: VersionSummary[] }>(`/api/prompts/${props.promptId}/labels/${encodeURIComponent(name)}`, { method: "DELETE" });
      props.onVersionsChange(result.versions);
      props.onAudited?.();
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
      {error && <p role="alert" className="whitespace-pre-line text-sm text-red-600" data-testid="versions-error">{error}</p>}
      {gateError && <p role="alert" className="text-sm text-red-600">{gateError}</p>}
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
                {gate?.versions[version.id]?.review && (
                  <Link href={href(`/reviews/${gate.versions[version.id]!.review!.id}`)} className="hover:opacity-80" data-testid="version-review-link">
                    <ReviewStateBadge state={gate.versions[version.id]!.review!.state} />
                  </Link>
                )}
                {version.id === props.currentId && <span className="text-xs text-brand-700">open in editor</span>}
              </div>
              {gate && gate.protectedLabels.length > 0 && (
                <div className="mt-0.5 flex flex-wrap gap-2 text-[11px] text-slate-500" data-testid="version-approvals">
                  {gate.protectedLabels.map((label) => {
                    const readiness = readinessOf(version.id, label.name);
                    if (!readiness || label.approvals === 0) return null;
                    return (
                      <span key={label.name} className={readiness.ready ? "text-emerald-700" : undefined} title={readiness.reason ?? `Ready for ${label.name}`}>
                        {label.name}: {readiness.have}/{readiness.required} approval{readiness.required === 1 ? "" : "s"}
                        {readiness.authorApproval && " (author's own not counted)"}
                      </span>
                    );
                  })}
                </div>
              )}
              <div className="mt-0.5 text-sm text-slate-700">{version.commitMessage || <span className="italic text-slate-400">no message</span>}</div>
              <div className="mt-0.5 text-xs text-slate-500">{version.author?.name ?? "seed"} · {formatTime(version.createdAt)}</div>
              {labelFor === version.id && (
                <div className="mt-2 space-y-1.5">
                  <div className="flex gap-2">
                    <input className="input w-40 py-1 text-xs" value={labelName} onChange={(event) => setLabelName(event.target.value)} list="label-suggestions" aria-label="Label name" data-testid="label-name" />
                    <datalist id="label-suggestions"><option value="production" /><option value="staging" /></datalist>
                    <button
                      className="btn py-1 text-xs"
                      onClick={() => setLabel(version.id)}
                      disabled={blockedReason(version.id, labelName.trim()) !== null}
                      title={blockedReason(version.id, labelName.trim()) ?? undefined}
                      data-testid="move-label"
                    >
                      Move label here
                    </button>
                    <button className="py-1 text-xs text-slate-500" onClick={() => setLabelFor(null)}>Cancel</button>
                  </div>
                  {blockedReason(version.id, labelName.trim()) && (
                    <p className="text-xs text-amber-800" data-testid="move-blocked-reason">
                      {blockedReason(version.id, labelName.trim())}
                      {canReview && readinessOf(version.id, labelName.trim())?.ready === false && !gate?.versions[version.id]?.review && (
                        <button className="ml-1 font-medium text-brand-700 hover:underline" onClick={() => { setReviewFor(version.id); setLabelFor(null); }}>Request a review</button>
                      )}
                    </p>
                  )}
                </div>
              )}
              {reviewFor === version.id && (
                <RequestReviewForm
                  versionId={version.id}
                  versionNumber={version.number}
                  promptName={props.promptName}
                  onCancel={() => setReviewFor(null)}
                  onCreated={() => {
                    setReviewFor(null);
                    void refreshGate();
                    props.onAudited?.();
                  }}
                />
              )}
            </div>
            <div className="flex shrink-0 gap-1">
              {canReview && reviewFor !== version.id && !isActive(gate?.versions[version.id]?.review?.state) && (
                <button className="btn py-1 text-xs" onClick={() => setReviewFor(version.id)} data-testid="request-review">Request review</button>
              )}
              {canLabel && labelFor !== version.id && <button className="btn py-1 text-xs" onClick={() => setLabelFor(version.id)} data-testid="label-button">Label…</button>}
              {canDistill && <Link className="btn py-1 text-xs" href={href(`/distill/new?prompt=${props.promptId}&version=${version.id}`)} title="Train a small local student on this version's answers" data-testid="version-distill">Distill</Link>}
              {version.id !== props.currentId && <button className="btn py-1 text-xs" onClick={() => open(version.id)}>Open</button>}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function isActive(state: string | undefined): boolean {
  return state === "open" || state === "approved" || state === "changes_requested";
}
