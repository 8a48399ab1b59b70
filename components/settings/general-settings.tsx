"use client";
import Link from "next/link";
import { useState } from "react";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { api, errorText } from "@/lib/ui/api";

interface ProtectedLabel {
  name: string;
  approvals: number;
}

export interface SettingsView {
  name: string;
  slug: string;
  protectedLabels: ProtectedLabel[];
  shareLinkMaxDays: number;
  allowPublicLinks: boolean;
}

/** A save's outcome under its form: what was stored, or the server's words naming the field. */
function Outcome(props: { state: { ok: boolean; text: string } | null; testId: string }) {
  if (!props.state) return null;
  return (
    <p role={props.state.ok ? "status" : "alert"} data-testid={props.testId} className={`whitespace-pre-line text-sm ${props.state.ok ? "text-emerald-700" : "text-red-700"}`}>
      {props.state.text}
    </p>
  );
}

function Reason(props: { text: string | null }) {
  if (!props.text) return null;
  return <p className="rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-600" data-testid="not-allowed">{props.text}</p>;
}

export function GeneralSettings(props: {
  initial: SettingsView;
  /** null when allowed, else why not (the API's words) */
  editSettings: string | null;
  editSharePolicy: string | null;
}) {
  const inWorkspace = useWorkspacePath();
  const [name, setName] = useState(props.initial.name);
  const [nameState, setNameState] = useState<{ ok: boolean; text: string } | null>(null);
  const [labels, setLabels] = useState<ProtectedLabel[]>(props.initial.protectedLabels);
  const [labelsState, setLabelsState] = useState<{ ok: boolean; text: string } | null>(null);
  const [maxDays, setMaxDays] = useState(String(props.initial.shareLinkMaxDays));
  const [allowPublic, setAllowPublic] = useState(props.initial.allowPublicLinks);
  const [policyState, setPolicyState] = useState<{ ok: boolean; text: string } | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [leaveError, setLeaveError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function save<T>(key: string, call: () => Promise<T>, done: (value: T) => string, report: (state: { ok: boolean; text: string }) => void) {
    setBusy(key);
    try {
      report({ ok: true, text: done(await call()) });
    } catch (caught) {
      report({ ok: false, text: errorText(caught) });
    } finally {
      setBusy(null);
    }
  }

  const saveName = () =>
    save("name", () => api<SettingsView>("/api/workspaces/current", { method: "PATCH", body: { name } }), (saved) => `Saved: the workspace is now called “${saved.name}”.`, setNameState);

  const saveLabels = () =>
    save(
      "labels",
      () => api<SettingsView>("/api/workspaces/current/protected-labels", { method: "PUT", body: { labels } }),
      (saved) => {
        setLabels(saved.protectedLabels);
        return saved.protectedLabels.length ? `Saved ${saved.protectedLabels.length} protected label${saved.protectedLabels.length === 1 ? "" : "s"}.` : "Saved: no label is protected now.";
      },
      setLabelsState,
    );

  const savePolicy = () =>
    save(
      "policy",
      () => api<SettingsView>("/api/workspaces/current/share-policy", { method: "PATCH", body: { shareLinkMaxDays: Number(maxDays), allowPublicLinks: allowPublic } }),
      (saved) => `Saved: links last at most ${saved.shareLinkMaxDays} days; “anyone with the link” is ${saved.allowPublicLinks ? "allowed" : "off"}.`,
      setPolicyState,
    );

  async function leave() {
    setBusy("leave");
    setLeaveError(null);
    try {
      await api("/api/members/me", { method: "DELETE" });
      window.location.assign("/");
    } catch (caught) {
      setLeaveError(errorText(caught));
      setBusy(null);
    }
  }

  const settingsLocked = props.editSettings !== null;
  return (
    <>
      <section className="card p-5" data-testid="settings-general">
        <h2 className="text-sm font-semibold">Workspace</h2>
        <p className="mb-4 mt-0.5 text-xs text-slate-500">
          Its address is <code className="rounded bg-slate-100 px-1">/w/{props.initial.slug}</code>; it stays the same after a rename, so links already shared keep working.
        </p>
        <fieldset disabled={settingsLocked} className="flex max-w-lg items-end gap-2">
          <div className="flex-1">
            <label className="label" htmlFor="settings-name">Name</label>
            <input className="input" id="settings-name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} data-testid="settings-name" />
          </div>
          <button className="btn-primary" onClick={saveName} disabled={busy !== null || name.trim() === ""} data-testid="settings-name-save">Save</button>
        </fieldset>
        <div className="mt-2 space-y-2">
          <Reason text={props.editSettings} />
          <Outcome state={nameState} testId="settings-name-outcome" />
        </div>
      </section>

      <section className="card p-5" data-testid="settings-protected-labels">
        <h2 className="text-sm font-semibold">Protected labels</h2>
        <p className="mb-4 mt-0.5 text-xs text-slate-500">
          Labels production traffic follows. Moving one to a version needs this many approvals from reviewers other than the version&apos;s author, and only admins and owners can move it.
        </p>
        <fieldset disabled={settingsLocked}>
          <table className="w-full max-w-lg text-sm">
            <thead>
              <tr className="text-left text-xs text-slate-500">
                <th className="pb-1 font-medium">Label</th>
                <th className="w-40 pb-1 font-medium">Approvals needed</th>
                <th className="w-16" />
              </tr>
            </thead>
            <tbody>
              {labels.map((label, index) => (
                <tr key={index} data-testid="protected-label-row">
                  <td className="py-1 pr-2">
                    <input
                      className="input font-mono"
                      aria-label={`Label ${index + 1}`}
                      value={label.name}
                      onChange={(event) => setLabels(labels.map((item, at) => (at === index ? { ...item, name: event.target.value.trim().toLowerCase() } : item)))}
                      data-testid="protected-label-name"
                    />
                  </td>
                  <td className="py-1 pr-2">
                    <input
                      className="input"
                      type="number"
                      min={1}
                      max={10}
                      aria-label={`Approvals for label ${index + 1}`}
                      value={label.approvals}
                      onChange={(event) => setLabels(labels.map((item, at) => (at === index ? { ...item, approvals: Number(event.target.value) } : item)))}
                      data-testid="protected-label-approvals"
                    />
                  </td>
                  <td className="py-1 text-right">
                    <button className="btn" onClick={() => setLabels(labels.filter((_, at) => at !== index))} aria-label={`Remove ${label.name || "label"}`}>Remove</button>
                  </td>
                </tr>
              ))}
              {labels.length === 0 && (
                <tr>
                  <td colSpan={3} className="py-2 text-xs text-slate-500">No label is protected: editors can move every label without a review.</td>
                </tr>
              )}
            </tbody>
          </table>
          <div className="mt-3 flex gap-2">
            <button className="btn" onClick={() => setLabels([...labels, { name: "", approvals: 1 }])} data-testid="protected-label-add">Add label</button>
            <button className="btn-primary" onClick={saveLabels} disabled={busy !== null} data-testid="protected-labels-save">Save labels</button>
          </div>
        </fieldset>
        <div className="mt-2 space-y-2">
          <Reason text={props.editSettings} />
          <Outcome state={labelsState} testId="protected-labels-outcome" />
        </div>
      </section>

      <section className="card p-5" data-testid="settings-share-policy">
        <div className="flex items-start justify-between gap-4">
          <div>
            <h2 className="text-sm font-semibold">Share links</h2>
            <p className="mb-4 mt-0.5 text-xs text-slate-500">Read-only links to a version, a run or a comparison. These limits apply to links made from now on.</p>
          </div>
          <Link className="text-sm text-brand-700 underline-offset-2 hover:underline" href={inWorkspace("/settings/share-links")}>See all links →</Link>
        </div>
        <fieldset disabled={props.editSharePolicy !== null} className="space-y-3">
          <div className="max-w-xs">
            <label className="label" htmlFor="share-max-days">Longest expiry (days, 1–365)</label>
            <input className="input" id="share-max-days" type="number" min={1} max={365} value={maxDays} onChange={(event) => setMaxDays(event.target.value)} data-testid="share-max-days" />
          </div>
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={allowPublic} onChange={(event) => setAllowPublic(event.target.checked)} data-testid="share-allow-public" />
            Allow “anyone with the link” (no sign-in). Off: links open only for members of this workspace.
          </label>
          <button className="btn-primary" onClick={savePolicy} disabled={busy !== null} data-testid="share-policy-save">Save share-link policy</button>
        </fieldset>
        <div className="mt-2 space-y-2">
          <Reason text={props.editSharePolicy} />
          <Outcome state={policyState} testId="share-policy-outcome" />
        </div>
      </section>

      <section className="card border-red-200 p-5" data-testid="settings-leave">
        <h2 className="text-sm font-semibold text-red-800">Leave this workspace</h2>
        <p className="mb-3 mt-0.5 text-xs text-slate-500">You lose access to its prompts, runs and comments until someone invites you again. The last owner cannot leave; transfer ownership first.</p>
        {leaving ? (
          <div className="flex gap-2">
            <button className="btn-danger" onClick={leave} disabled={busy !== null} data-testid="leave-confirm">Yes, leave {props.initial.name}</button>
            <button className="btn" onClick={() => setLeaving(false)}>Cancel</button>
          </div>
        ) : (
          <button className="btn-danger" onClick={() => setLeaving(true)} data-testid="leave-workspace">Leave workspace</button>
        )}
        {leaveError && <p role="alert" className="mt-2 text-sm text-red-700" data-testid="leave-error">{leaveError}</p>}
      </section>
    </>
  );
}
