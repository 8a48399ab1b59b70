import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import type { ConnectionOption } from "@/components/prompts/types";
import { NewRunForm, type SuiteOption } from "@/components/runs/new-run-form";
import type { PromptOption } from "@/components/runs/variant-editor";
import { NotAllowed } from "@/components/shell/not-allowed";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listConnections } from "@/lib/connections/service";
import { listPrompts, listVersions } from "@/lib/prompts/service";
import { listSuites } from "@/lib/suites/suites";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "New run" };

export default async function NewRunPage(props: { searchParams: Promise<{ suite?: string; prompt?: string }> }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const workspaceId = member.workspace.id;
  const query = await props.searchParams;
  const [suites, prompts, connections] = await Promise.all([listSuites(workspaceId), listPrompts(workspaceId), listConnections(workspaceId)]);
  const versions = await Promise.all(prompts.map((prompt) => listVersions(workspaceId, prompt.id)));
  const suiteOptions: SuiteOption[] = suites.map((suite) => ({
    id: suite.id,
    name: suite.name,
    caseCount: suite.caseCount,
    usesJudge: suite.assertions.some((assertion) => assertion.type === "llm-rubric" || assertion.type === "not-llm-rubric"),
  }));
  const promptOptions: PromptOption[] = prompts.map((prompt, index) => ({
    id: prompt.id,
    name: prompt.name,
    // Newest first, as the version picker lists them.
    versions: [...(versions[index] ?? [])]
      .sort((left, right) => right.number - left.number)
      .map((version) => ({ id: version.id, number: version.number, commitMessage: version.commitMessage, labels: version.labels })),
    labels: prompt.labels.map((label) => ({ name: label.name, versionNumber: label.versionNumber })),
  }));
  const connectionOptions: ConnectionOption[] = connections.map((connection) => ({
    id: connection.id,
    name: connection.name,
    kind: connection.kind,
    models: connection.models.map(({ name, contextWindow, inputPricePerM, outputPricePerM }) => ({ name, contextWindow, inputPricePerM, outputPricePerM })),
  }));
  return (
    <>
      <PageHeader
        title={
          <span>
            <Link href={inWorkspace("/runs")} className="text-slate-400 hover:text-slate-600">Runs</Link>
            <span className="mx-2 text-slate-300">/</span>
            New run
          </span>
        }
        subtitle="Prompt versions × models × the suite's cases, executed in the background: you can leave this page."
      />
      {can(member.role, "model.call") ? (
        <NewRunForm
          suites={suiteOptions}
          prompts={promptOptions}
          connections={connectionOptions}
          initialSuiteId={suites.some((suite) => suite.id === query.suite) ? (query.suite ?? null) : null}
          initialPromptId={query.prompt ?? null}
        />
      ) : (
        <div className="p-6">
          <NotAllowed role={member.role} action="model.call" />
        </div>
      )}
    </>
  );
}
