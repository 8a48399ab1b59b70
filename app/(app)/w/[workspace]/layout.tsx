import type { ReactNode } from "react";
import { requireMember } from "@/lib/auth/session";
import { Sidebar } from "@/components/shell/sidebar";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const member = await requireMember();
  return (
    <div className="flex h-full">
      <Sidebar workspaceName={member.workspace.name} userName={member.user.name} userEmail={member.user.email} role={member.role} />
      <div className="min-w-0 flex-1 overflow-auto">{children}</div>
    </div>
  );
}
