import { PageHeader } from "@/components/shell/page-header";
import { NotAllowed } from "@/components/shell/not-allowed";
import { ShareLinksTable } from "@/components/share/share-links-table";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listShareLinks, shareLinkPolicy } from "@/lib/share-links/service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Share links" };

// Settings › Share links: my links (admins and owners: everyone's), with views, expiry and state, and revoke.
export default async function ShareLinksPage() {
  const member = await requireMember();
  if (!can(member.role, "shareLink.create")) {
    return (
      <>
        <PageHeader title="Share links" />
        <NotAllowed action="shareLink.create" role={member.role} />
      </>
    );
  }
  const canManage = can(member.role, "shareLink.manage");
  const [links, policy] = await Promise.all([
    listShareLinks({ workspaceId: member.workspace.id, userId: member.user.id, canManage }),
    shareLinkPolicy(member.workspace.id),
  ]);
  return (
    <>
      <PageHeader
        title="Share links"
        subtitle={`${canManage ? "Every read-only link made in this workspace" : "The read-only links you made"}. Links last at most ${policy.maxDays} days here; links for anyone are ${policy.allowPublicLinks ? "allowed" : "switched off"}.`}
      />
      <div className="p-6">
        <ShareLinksTable links={links} userId={member.user.id} canManage={canManage} />
      </div>
    </>
  );
}
