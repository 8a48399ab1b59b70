"use client";
import { useState, type FormEvent } from "react";
import { api, errorText } from "@/lib/ui/api";

/**
 * `tokenRequired`: Assay listens beyond loopback, so the API wants the one-time token `npm start` printed. It comes
 * in the printed link (?token=…) and is sent unseen; without it the form asks for it.
 */
export function SetupForm({ tokenRequired, token }: { tokenRequired: boolean; token: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await api("/api/setup", {
        body: {
          name: form.get("name"),
          email: form.get("email"),
          password: form.get("password"),
          workspaceName: form.get("workspaceName"),
          ...(tokenRequired ? { token: form.get("token") } : {}),
        },
      });
      window.location.assign("/prompts");
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" data-testid="setup-form">
      <div>
        <label className="label" htmlFor="name">Your name</label>
        <input className="input" id="name" name="name" required autoComplete="name" />
      </div>
      <div>
        <label className="label" htmlFor="email">Email</label>
        <input className="input" id="email" name="email" type="email" required autoComplete="email" />
      </div>
      <div>
        <label className="label" htmlFor="password">Password</label>
        <input className="input" id="password" name="password" type="password" required minLength={8} autoComplete="new-password" />
        <p className="mt-1 text-xs text-slate-500">At least 8 characters.</p>
      </div>
      <div>
        <label className="label" htmlFor="workspaceName">Workspace name</label>
        <input className="input" id="workspaceName" name="workspaceName" required defaultValue="Demo workspace" />
        <p className="mt-1 text-xs text-slate-500">It starts with the demo prompts and the Local models connection.</p>
      </div>
      {tokenRequired && token && <input type="hidden" name="token" value={token} />}
      {tokenRequired && !token && (
        <div>
          <label className="label" htmlFor="token">Setup token</label>
          <input className="input font-mono" id="token" name="token" required autoComplete="off" spellCheck={false} />
          <p className="mt-1 text-xs text-slate-500">Printed in the console where <code>npm start</code> runs, in the link ending in <code>/setup?token=…</code>.</p>
        </div>
      )}
      {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      <button className="btn-primary w-full" disabled={busy} data-testid="setup-submit">
        {busy ? "Creating…" : "Create owner account"}
      </button>
    </form>
  );
}
