"use client";
import { useState, type FormEvent } from "react";
import { api, errorText } from "@/lib/ui/api";

export function SetupForm() {
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
      {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      <button className="btn-primary w-full" disabled={busy} data-testid="setup-submit">
        {busy ? "Creating…" : "Create owner account"}
      </button>
    </form>
  );
}
