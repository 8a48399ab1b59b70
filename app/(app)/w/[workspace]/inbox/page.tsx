import { PageHeader } from "@/components/shell/page-header";
import { InboxList } from "@/components/inbox/inbox-list";
import { requireMember } from "@/lib/auth/session";
import { listInbox } from "@/lib/inbox/service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Inbox" };

export default async function InboxPage() {
  const member = await requireMember();
  const page = await listInbox(member, { limit: 50 });
  return (
    <>
      <PageHeader title="Inbox" subtitle={`Mentions, review requests and decisions addressed to you in ${member.workspace.name}.`} />
      <InboxList initial={page} />
    </>
  );
}
