import Link from "next/link";
import { NewReleaseForm, type PromptOption, type VersionOption } from "@/components/releases/new-release-form";
import { NotAllowed } from "@/components/shell/not-allowed";
import { PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listConnections } from "@/lib/connections/service";
import { listPrompts, listVersions } from "@/lib/prompts/service";
import { listSuites } from "@/lib/suites/suites";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "New release" };

export default async function NewReleasePage(props: { searchParams: Promise<{ prompt?: string }> }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const header = (
    <PageHeader
      title={
        <span>
          <Link href={inWorkspace("/releases")} className="text-slate-400 hover:text-slate-600">Releases</Link>
          <span className="mx-2 text-slate-300">/</span>
          New release
        </span>
      }
      subtitle="Which version goes to whom, how fast, and what rolls it back."
    />
  );
  if (!can(member.role, "release.manage")) {
    return (
      <>
        {header}
        <div className="p-6"><NotAllowed action="release.manage" role={member.role} /></div>
      </>
    );
  }
  const workspaceId = member.workspace.id;
  const { prompt: wanted } = await props.searchParams;
  const [prompts, suites, connections] = await Promise.all([listPrompts(workspaceId), listSuites(workspaceId), listConnections(workspaceId)]);
  const options: PromptOption[] = prompts.map((prompt) => ({
    id: prompt.id,
    name: prompt.name,
    labels: prompt.labels.map((label) => ({ name: label.name, versionNumber: label.versionNumber })),
  }));
  const selected = options.find((prompt) => prompt.id === wanted || prompt.name === wanted) ?? null;
  const versions: VersionOption[] = selected
    ? (await listVersions(workspaceId, selected.id))
        .map((version) => ({ number: version.number, commitMessage: version.commitMessage, labels: version.labels }))
        .sort((left, right) => right.number - left.number)
    : [];
  return (
    <>
      {header}
      <NewReleaseForm
        key={selected?.id ?? "none"}
        prompts={options}
        prompt={selected}
        versions={versions}
        suites={suites.map((suite) => ({ id: suite.id, name: suite.name, assertions: suite.assertions.length }))}
        connections={connections.map((connection) => ({ id: connection.id, name: connection.name, models: connection.models.map((model) => model.name) }))}
      />
    </>
  );
}
