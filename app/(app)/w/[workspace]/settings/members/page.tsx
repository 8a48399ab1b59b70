import { MembersSettings } from "@/components/members/members-settings";
import { can, refusal } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listPendingInvitations } from "@/lib/invitations/service";
import { listMembers } from "@/lib/members/service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Members" };

export default async function MembersPage() {
  const member = await requireMember();
  const manage = can(member.role, "member.manage");
  return (
    <MembersSettings
      me={{ id: member.user.id, role: member.role }}
      members={await listMembers(member.workspace.id)}
      invitations={manage ? await listPendingInvitations(member.workspace.id) : []}
      manageRefusal={manage ? null : refusal(member.role, "member.manage")}
      canTransfer={can(member.role, "workspace.transfer")}
    />
  );
}
