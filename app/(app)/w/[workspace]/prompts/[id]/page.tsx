import Link from "next/link";
import { notFound } from "next/navigation";
import { RecentActivity } from "@/components/activity/recent-activity";
import { PageHeader } from "@/components/shell/page-header";
import { PromptStudio } from "@/components/prompts/prompt-studio";
import { PromptReleases } from "@/components/releases/prompt-releases";
import type { ConnectionOption, VersionFull } from "@/components/prompts/types";
import { can, refusal } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listConnections } from "@/lib/connections/service";
import { AppError } from "@/lib/errors";
import { openVersion } from "@/lib/prompts/open-version";
import { getPrompt, listVersions } from "@/lib/prompts/service";
import { listReleases } from "@/lib/releases/service";
import { versionSummaryView, versionView } from "@/lib/prompts/views";
import { shareLinkPolicy } from "@/lib/share-links/service";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";

export default async function PromptPage(props: { params: Promise<{ id: string }>; searchParams: Promise<{ v?: string }> }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const { id } = await props.params;
  const { v } = await props.searchParams;
  const workspaceId = member.workspace.id;
  let prompt;
  try {
    prompt = await getPrompt(workspaceId, id);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
  const [versions, connections, opened, sharePolicy, releases] = await Promise.all([
    listVersions(workspaceId, prompt.id),
    listConnections(workspaceId),
    openVersion(workspaceId, prompt, v),
    shareLinkPolicy(workspaceId),
    listReleases(workspaceId, { promptId: prompt.id }),
  ]);
  const canRelease = can(member.role, "release.manage");
  const newRelease = inWorkspace(`/releases/new?prompt=${prompt.id}`);
  const options: ConnectionOption[] = connections.map((connection) => ({
    id: connection.id,
    name: connection.name,
    kind: connection.kind,
    models: connection.models.map((model) => ({
      name: model.name,
      contextWindow: model.contextWindow,
      inputPricePerM: model.inputPricePerM,
      outputPricePerM: model.outputPricePerM,
    })),
  }));
  return (
    <>
      <PageHeader
        title={
          <span>
            <Link href={inWorkspace("/prompts")} className="text-slate-400 hover:text-slate-600">Prompts</Link>
            <span className="mx-2 text-slate-300">/</span>
            {prompt.name}
          </span>
        }
        subtitle={prompt.description || undefined}
        actions={canRelease ? <Link href={newRelease} className="btn" data-testid="prompt-start-release">⇪ Start a release</Link> : undefined}
      />
      {opened.notice && (
        <p role="status" data-testid="version-notice" className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
          {opened.notice}
        </p>
      )}
      <PromptStudio
        prompt={{ id: prompt.id, name: prompt.name, description: prompt.description }}
        versions={versions.map(versionSummaryView)}
        version={versionView(opened.version) as unknown as VersionFull}
        connections={options}
        role={member.role}
        sharePolicy={sharePolicy}
      />
      <PromptReleases
        releases={JSON.parse(JSON.stringify(releases))}
        releasesPath={inWorkspace("/releases")}
        newPath={newRelease}
        canManage={canRelease}
        refusal={canRelease ? null : refusal(member.role, "release.manage")}
      />
      <RecentActivity workspace={member.workspace} promptId={prompt.id} />
    </>
  );
}
