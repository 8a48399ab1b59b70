"use client";
import { authClient } from "@/lib/ui/auth-client";

export function SignOutButton(props: { className?: string }) {
  async function signOut() {
    await authClient.signOut();
    window.location.assign("/login");
  }
  return (
    <button onClick={signOut} className={props.className ?? "text-slate-500 underline-offset-2 hover:text-slate-800 hover:underline"} data-testid="sign-out">
      Sign out
    </button>
  );
}
