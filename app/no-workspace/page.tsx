import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { lookupMember } from "@/lib/auth/session";

export const dynamic = "force-dynamic";
export const metadata = { title: "No workspace" };

// Where requireMember sends a signed-in account that belongs to no workspace (removed from its only one, say):
// sending it to /login would loop, since it is signed in already.
export default async function NoWorkspacePage() {
  const lookup = await lookupMember(await headers());
  if (lookup.member) redirect("/prompts");
  if (lookup.reason === "signed-out") redirect("/login");
  return (
    <AuthCard title="No workspace" subtitle="Your account is not a member of any workspace.">
      <p className="text-sm text-slate-700" data-testid="no-workspace">Ask a workspace admin to add you, then sign in again.</p>
      <SignOutButton className="btn mt-4" />
    </AuthCard>
  );
}
