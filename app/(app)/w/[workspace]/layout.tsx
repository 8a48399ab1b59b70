import type { ReactNode } from "react";
import { requireMember } from "@/lib/auth/session";
import { Sidebar } from "@/components/shell/sidebar";
import { listMyWorkspaces } from "@/lib/workspaces/create";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const member = await requireMember();
  const workspaces = await listMyWorkspaces(member.user.id);
  return (
    <div className="flex h-full">
      <Sidebar
        workspaceName={member.workspace.name}
        workspaceSlug={member.workspace.slug}
        workspaces={workspaces}
        userName={member.user.name}
        userEmail={member.user.email}
        role={member.role}
      />
      <div className="min-w-0 flex-1 overflow-auto">{children}</div>
    </div>
  );
}
