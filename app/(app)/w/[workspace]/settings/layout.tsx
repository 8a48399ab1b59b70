import type { ReactNode } from "react";
import { PageHeader } from "@/components/shell/page-header";
import { SettingsNav } from "@/components/settings/settings-nav";
import { requireMember } from "@/lib/auth/session";

export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const member = await requireMember();
  return (
    <>
      <PageHeader title="Settings" subtitle={`${member.workspace.name} · you are ${member.role === "viewer" ? "a" : "an"} ${member.role}`} />
      <div className="border-b border-slate-200 bg-white px-6">
        <SettingsNav />
      </div>
      <div className="mx-auto max-w-5xl space-y-6 px-6 py-6">{children}</div>
    </>
  );
}
