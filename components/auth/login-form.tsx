"use client";
import { useState, type FormEvent } from "react";
import { authClient } from "@/lib/ui/auth-client";
import { afterLoginPath } from "@/lib/auth/safe-next-path";

/** better-auth answers `{ message }`; our own refusals (the sign-in limit's 429) answer `{ error: { message } }`. */
function signInErrorText(error: { message?: string; error?: { message?: string }; status: number }): string {
  return error.error?.message ?? error.message ?? `Sign-in failed (${error.status})`;
}

export function LoginForm() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await authClient.signIn.email({
      email: String(form.get("email")),
      password: String(form.get("password")),
    });
    if (result.error) {
      setError(signInErrorText(result.error));
      setBusy(false);
      return;
    }
    // only a path of this app: "?next=//evil.com" must not turn the login page into a redirector
    window.location.assign(afterLoginPath(new URLSearchParams(window.location.search).get("next")));
  }

  return (
    <form onSubmit={submit} className="space-y-4" data-testid="login-form">
      <div>
        <label className="label" htmlFor="email">Email</label>
        <input className="input" id="email" name="email" type="email" required autoComplete="email" />
      </div>
      <div>
        <label className="label" htmlFor="password">Password</label>
        <input className="input" id="password" name="password" type="password" required autoComplete="current-password" />
      </div>
      {error && <p role="alert" data-testid="login-error" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      <button className="btn-primary w-full" disabled={busy} data-testid="login-submit">
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
