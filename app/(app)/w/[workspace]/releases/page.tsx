import { ReleasesList } from "@/components/releases/releases-list";
import { PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listReleases } from "@/lib/releases/service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Releases" };

export default async function ReleasesPage() {
  const member = await requireMember();
  const releases = await listReleases(member.workspace.id, {});
  return (
    <>
      <PageHeader title="Releases" subtitle="New prompt versions in front of real traffic: internal users first, then canary, A/B, shadow or interleaved, with guards." />
      <ReleasesList releases={releases} canManage={can(member.role, "release.manage")} />
    </>
  );
}
