"use client";
import { useState } from "react";
import type { ReleaseAction } from "@/lib/releases/schema";
import type { ReleaseView } from "@/lib/releases/types";
import { api, errorText } from "@/lib/ui/api";

// The buttons a release's state allows, each enabled by permission (and promote by the label's review gate).
// Rolling back and promoting change production traffic at once: both ask first, with a note for the timeline.

const LABELS: Record<ReleaseAction, string> = {
  start: "Start",
  pause: "Pause",
  resume: "Resume",
  advance: "Advance",
  rollback: "Roll back",
  promote: "Promote",
  stop: "Stop",
};

const CONFIRM: Partial<Record<ReleaseAction, (view: ReleaseView) => string>> = {
  rollback: (view) => `Every request goes back to stable v${view.arms[0]?.versionNumber ?? "?"} at once, and the release ends.`,
  promote: (view) => `The label ${view.promotion.label} moves to the candidate: every request that follows it gets the new version.`,
  stop: () => "The release ends without promoting; every request goes back to stable.",
};

/** Which actions the state offers, in the order shown. */
export function actionsFor(view: ReleaseView): ReleaseAction[] {
  const lastStage = view.stage >= view.stages.length - 1;
  switch (view.state) {
    case "draft":
      return ["start"];
    case "running":
      return [...(lastStage ? [] : (["advance"] as const)), "pause", "rollback", "promote", ...(view.mode === "canary" ? [] : (["stop"] as const))];
    case "paused":
      return ["resume", "rollback", "promote", ...(view.mode === "canary" ? [] : (["stop"] as const))];
    default:
      return [];
  }
}

export function ReleaseActions(props: { view: ReleaseView; refusal: string | null; onChanged: () => Promise<void> }) {
  const [confirming, setConfirming] = useState<ReleaseAction | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState<ReleaseAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const actions = actionsFor(props.view);

  function reasonDisabled(action: ReleaseAction): string | null {
    if (props.refusal) return props.refusal;
    if (action === "promote" && !props.view.promotion.ready) return props.view.promotion.reason ?? `The label ${props.view.promotion.label} cannot move yet.`;
    return null;
  }

  async function run(action: ReleaseAction) {
    setBusy(action);
    setError(null);
    try {
      await api(`/api/releases/${props.view.id}/${action}`, { body: note.trim() ? { reason: note.trim() } : {} });
      setConfirming(null);
      setNote("");
      await props.onChanged();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(null);
    }
  }

  if (actions.length === 0) return null;
  const blockedReasons = [...new Set(actions.map(reasonDisabled).filter((reason): reason is string => reason !== null))];
  return (
    <div className="flex flex-col items-end gap-1.5" data-testid="release-actions">
      <div className="flex flex-wrap justify-end gap-2">
        {actions.map((action) => {
          const disabled = reasonDisabled(action);
          const danger = action === "rollback" || action === "stop";
          return (
            <button
              key={action}
              className={danger ? "btn-danger" : action === "start" || action === "promote" || action === "resume" ? "btn-primary" : "btn"}
              disabled={disabled !== null || busy !== null}
              title={disabled ?? undefined}
              onClick={() => (CONFIRM[action] ? setConfirming(action) : void run(action))}
              data-testid={`release-${action}`}
            >
              {busy === action ? `${LABELS[action]}…` : LABELS[action]}
            </button>
          );
        })}
      </div>
      {blockedReasons.map((reason) => (
        <p key={reason} className="max-w-md text-right text-xs text-slate-500" data-testid="release-action-reason">{reason}</p>
      ))}
      {error && <p role="alert" className="max-w-md whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="release-action-error">{error}</p>}
      {confirming && (
        <div className="w-96 rounded-md border border-slate-200 bg-white p-3 text-left shadow-md" role="dialog" aria-label={`${LABELS[confirming]} the release`} data-testid="release-confirm">
          <p className="text-sm font-medium text-slate-800">{LABELS[confirming]} this release?</p>
          <p className="mt-1 text-xs text-slate-600">{CONFIRM[confirming]?.(props.view)}</p>
          <label className="label mt-2" htmlFor="release-note">Note for the timeline (optional)</label>
          <input id="release-note" className="input" value={note} onChange={(event) => setNote(event.target.value)} placeholder="why" data-testid="release-confirm-note" />
          <div className="mt-2 flex justify-end gap-2">
            <button className="btn py-1" onClick={() => setConfirming(null)}>Cancel</button>
            <button className={confirming === "promote" ? "btn-primary py-1" : "btn-danger py-1"} disabled={busy !== null} onClick={() => void run(confirming)} data-testid="release-confirm-go">
              {LABELS[confirming]}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
