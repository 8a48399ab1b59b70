"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { api, errorText } from "@/lib/ui/api";
import { workspacePath } from "@/lib/workspaces/paths";

export function NewWorkspaceForm(props: { cancelHref: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "");
    setBusy(true);
    setError(null);
    try {
      const created = await api<{ slug: string }>("/api/workspaces", { body: { name } });
      window.location.assign(workspacePath(created.slug, "/prompts"));
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" data-testid="new-workspace-form">
      <div>
        <label className="label" htmlFor="workspace-name">Workspace name</label>
        <input className="input" id="workspace-name" name="name" required maxLength={100} placeholder="e.g. Support bots" autoFocus data-testid="workspace-name" />
        <p className="mt-1 text-xs text-slate-500">Its address comes from the name and stays the same if you rename it later.</p>
      </div>
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="new-workspace-error">{error}</p>}
      <div className="flex items-center gap-2">
        <button className="btn-primary flex-1" disabled={busy} data-testid="create-workspace">{busy ? "Creating…" : "Create workspace"}</button>
        {props.cancelHref && <Link className="btn" href={props.cancelHref}>Cancel</Link>}
      </div>
    </form>
  );
}
