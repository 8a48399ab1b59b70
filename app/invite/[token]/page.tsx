import Link from "next/link";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { InvitationJoin } from "@/components/members/invitation-join";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { invitationPage } from "@/lib/invitations/page-state";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "Invitation" };

const ROLE_WORDS: Record<string, string> = {
  owner: "an owner (everything, including settings and ownership)",
  admin: "an admin (members, connections, protected labels)",
  editor: "an editor (prompts, suites, runs, reviews)",
  viewer: "a viewer (read, comment and vote)",
};

const CLOSED_TITLE: Record<string, string> = { used: "Invitation already used", revoked: "Invitation revoked", expired: "Invitation expired" };

export default async function InvitePage(props: { params: Promise<{ token: string }> }) {
  const { token } = await props.params;
  const page = await invitationPage(token, await headers());
  if (page.kind === "member") redirect(workspacePath(page.invitation.workspace.slug, "/prompts"));
  if (page.kind === "invalid") {
    return (
      <AuthCard title="Invitation not found" subtitle="This link does not open any invitation.">
        <p className="text-sm text-slate-700" data-testid="invitation-state" data-state="invalid">{page.message}</p>
        <Link className="btn mt-4" href="/login">Go to sign in</Link>
      </AuthCard>
    );
  }
  const { invitation } = page;
  if (page.kind === "closed") {
    return (
      <AuthCard title={CLOSED_TITLE[invitation.state] ?? "Invitation closed"} subtitle={`An invitation to ${invitation.workspace.name} for ${invitation.email}.`}>
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="invitation-state" data-state={invitation.state}>{page.message}</p>
        <p className="mt-3 text-xs text-slate-500">Nothing was changed. The link cannot be used again.</p>
      </AuthCard>
    );
  }
  const subtitle = `${invitation.inviterName ?? "A workspace admin"} invited ${invitation.email} to join as ${ROLE_WORDS[invitation.role] ?? invitation.role}.`;
  return (
    <AuthCard title={`Join ${invitation.workspace.name}`} subtitle={subtitle}>
      <div data-testid="invitation" data-workspace={invitation.workspace.name} data-role={invitation.role}>
        {page.kind === "join" && (
          <>
            <p className="mb-3 text-sm text-slate-700">
              Signed in as <strong>{page.user.name}</strong> ({page.user.email}).
            </p>
            {page.user.email.toLowerCase() !== invitation.email && (
              <p className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-800" data-testid="email-differs">
                The invitation was sent to {invitation.email}. Joining adds this account ({page.user.email}) instead; sign out first to use another one.
              </p>
            )}
            <InvitationJoin mode="join" token={token} email={invitation.email} slug={invitation.workspace.slug} />
            <div className="mt-3 text-center text-xs"><SignOutButton /></div>
          </>
        )}
        {page.kind === "sign-in" && (
          <>
            <p className="mb-4 text-sm text-slate-700">An account for {invitation.email} exists already. Sign in with it; you join the workspace on the next page.</p>
            <Link className="btn-primary w-full" href={`/login?next=${encodeURIComponent(`/invite/${token}`)}`} data-testid="invitation-sign-in">
              Sign in as {invitation.email}
            </Link>
          </>
        )}
        {page.kind === "sign-up" && (
          <>
            <InvitationJoin mode="sign-up" token={token} email={invitation.email} slug={invitation.workspace.slug} />
            <p className="mt-4 text-center text-xs text-slate-500">
              Have an account under another email?{" "}
              <Link className="text-brand-700 underline-offset-2 hover:underline" href={`/login?next=${encodeURIComponent(`/invite/${token}`)}`}>Sign in</Link> and open this link again.
            </p>
          </>
        )}
        <p className="mt-4 text-xs text-slate-400">This link works once and expires on {new Date(invitation.expiresAt).toUTCString()}.</p>
      </div>
    </AuthCard>
  );
}
