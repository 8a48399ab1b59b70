import Link from "next/link";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { lookupMember } from "@/lib/auth/session";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "No workspace" };

// Where requireMember sends a signed-in account that belongs to no workspace (removed from its only one, say), or
// that opened a link to a workspace it is not a member of (?workspace=<slug>). Sending it to /login would loop.
export default async function NoWorkspacePage(props: { searchParams: Promise<{ workspace?: string }> }) {
  const { workspace } = await props.searchParams;
  const lookup = await lookupMember(await headers());
  if (!lookup.member && lookup.reason === "signed-out") redirect("/login");
  if (lookup.member && !workspace) redirect(workspacePath(lookup.member.workspace.slug, "/prompts"));
  return (
    <AuthCard
      title={workspace ? "Not a member of this workspace" : "No workspace"}
      subtitle={workspace ? `This link opens the workspace “${workspace}”, which your account is not a member of.` : "Your account is not a member of any workspace."}
    >
      <p className="text-sm text-slate-700" data-testid="no-workspace">
        Ask one of its admins to invite you; the invitation link adds you to it.
      </p>
      <div className="mt-4 flex flex-wrap items-center gap-2">
        {lookup.member && (
          <Link className="btn-primary" href={workspacePath(lookup.member.workspace.slug, "/prompts")}>
            Open {lookup.member.workspace.name}
          </Link>
        )}
        {!workspace && (
          <Link className="btn" href="/w/new" data-testid="no-workspace-create">
            Create a workspace
          </Link>
        )}
        <SignOutButton className="btn" />
      </div>
    </AuthCard>
  );
}
