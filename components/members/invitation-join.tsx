"use client";
import { useState, type FormEvent } from "react";
import { api, errorText } from "@/lib/ui/api";
import { workspacePath } from "@/lib/workspaces/paths";

/** Joins with the signed-in account, or creates the invited account (email fixed) and joins in one step. */
export function InvitationJoin(props: { mode: "join" | "sign-up"; token: string; email: string; slug: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const joined =
        props.mode === "join"
          ? await api<{ workspace: { slug: string } }>("/api/invitations/accept", { body: { token: props.token } })
          : await api<{ workspace: { slug: string } }>("/api/invitations/sign-up", {
              body: { token: props.token, name: String(form.get("name") ?? ""), password: String(form.get("password") ?? "") },
            });
      window.location.assign(workspacePath(joined.workspace.slug, "/prompts"));
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" data-testid="invitation-form">
      {props.mode === "sign-up" && (
        <>
          <div>
            <label className="label" htmlFor="invite-email">Email</label>
            <input className="input" id="invite-email" value={props.email} readOnly disabled data-testid="invitation-email" />
            <p className="mt-1 text-xs text-slate-500">Your account uses the address the invitation was sent to.</p>
          </div>
          <div>
            <label className="label" htmlFor="invite-name">Your name</label>
            <input className="input" id="invite-name" name="name" required maxLength={100} autoComplete="name" data-testid="invitation-name" />
          </div>
          <div>
            <label className="label" htmlFor="invite-password">Password</label>
            <input className="input" id="invite-password" name="password" type="password" required minLength={8} maxLength={128} autoComplete="new-password" data-testid="invitation-password" />
            <p className="mt-1 text-xs text-slate-500">At least 8 characters.</p>
          </div>
        </>
      )}
      {error && <p role="alert" data-testid="invitation-error" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      <button className="btn-primary w-full" disabled={busy} data-testid="invitation-submit">
        {busy ? "Joining…" : props.mode === "join" ? "Join workspace" : "Create account and join"}
      </button>
    </form>
  );
}
