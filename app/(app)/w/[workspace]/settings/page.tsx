import { GeneralSettings } from "@/components/settings/general-settings";
import { can, refusal } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { workspaceSettings } from "@/lib/workspaces/settings";

export const dynamic = "force-dynamic";
export const metadata = { title: "Settings" };

export default async function GeneralSettingsPage() {
  const member = await requireMember();
  const settings = await workspaceSettings(member.workspace.id);
  return (
    <GeneralSettings
      initial={settings}
      editSettings={can(member.role, "workspace.settings") ? null : refusal(member.role, "workspace.settings")}
      editSharePolicy={can(member.role, "shareLink.manage") ? null : refusal(member.role, "shareLink.manage")}
    />
  );
}
