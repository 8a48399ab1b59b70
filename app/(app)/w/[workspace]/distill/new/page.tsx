import Link from "next/link";
import { NewDistillationForm } from "@/components/distill/new-distillation-form";
import { NotAllowed } from "@/components/shell/not-allowed";
import { PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listConnections } from "@/lib/connections/service";
import { teacherPromptOptions } from "@/lib/distill/form-options";
import { listSuites } from "@/lib/suites/suites";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "New distillation" };

export default async function NewDistillationPage(props: { searchParams: Promise<{ prompt?: string; version?: string }> }) {
  const member = await requireMember();
  const header = (
    <PageHeader
      title={
        <span>
          <Link href={workspacePath(member.workspace.slug, "/distill")} className="text-slate-400 hover:text-slate-600">Distill</Link>
          <span className="mx-2 text-slate-300">/</span>
          New distillation
        </span>
      }
      subtitle="Collect a teacher's answers on your inputs, train a local student on them, and measure how often it agrees."
    />
  );
  if (!can(member.role, "model.call")) {
    return (
      <>
        {header}
        <div className="p-6"><NotAllowed action="model.call" role={member.role} /></div>
      </>
    );
  }
  const { prompt, version } = await props.searchParams;
  const [prompts, suites, connections] = await Promise.all([teacherPromptOptions(member.workspace.id), listSuites(member.workspace.id), listConnections(member.workspace.id)]);
  const local = connections.find((connection) => connection.kind === "local");
  return (
    <>
      {header}
      <NewDistillationForm
        prompts={prompts}
        suites={suites.map((suite) => ({ id: suite.id, name: suite.name, caseCount: suite.caseCount }))}
        connections={connections.map((connection) => ({ id: connection.id, name: connection.name, models: connection.models.map((model) => model.name) }))}
        localModels={(local?.models ?? []).map((model) => model.name).filter((name) => !name.startsWith("student:") && !name.startsWith("cascade:"))}
        initialPromptId={prompt ?? null}
        initialVersionId={version ?? null}
      />
    </>
  );
}
