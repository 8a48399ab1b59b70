import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/shell/page-header";
import { RunView } from "@/components/runs/run-view";
import { ShareAction } from "@/components/share/share-action";
import type { RunDetailView } from "@/components/runs/types";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { AppError, unlessNotFound } from "@/lib/errors";
import { getRun } from "@/lib/runs/service";
import { getSuite } from "@/lib/suites/suites";
import { runLabelMetrics } from "./label-metrics";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";

async function loadRun(workspaceId: string, id: string) {
  try {
    return await getRun(workspaceId, id);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
}

export async function generateMetadata(props: { params: Promise<{ id: string }> }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const { id } = await props.params;
  const run = await unlessNotFound(getRun(member.workspace.id, id));
  return { title: run ? run.name || `Run ${run.id.slice(-6)}` : "Run" };
}

export default async function RunPage(props: { params: Promise<{ id: string }>; searchParams: Promise<{ case?: string | string[] }> }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const { id } = await props.params;
  const run = await loadRun(member.workspace.id, id);
  const suite = run.suiteId ? await unlessNotFound(getSuite(member.workspace.id, run.suiteId)) : null;
  const metrics = await runLabelMetrics(member.workspace.id, run, suite?.assertions ?? []);
  // Dates cross to the client component as ISO strings, as the API sends them.
  const view = JSON.parse(JSON.stringify(run)) as RunDetailView;
  return (
    <>
      <PageHeader
        title={
          <span>
            <Link href={inWorkspace("/runs")} className="text-slate-400 hover:text-slate-600">Runs</Link>
            <span className="mx-2 text-slate-300">/</span>
            <span data-testid="run-title">{run.name || `Run ${run.id.slice(-6)}`}</span>
          </span>
        }
        subtitle={run.suiteName ? `on ${run.suiteName}` : undefined}
        actions={<ShareAction member={member} resource="run" id={run.id} />}
      />
      <RunView
        run={view}
        labelMetrics={metrics}
        canCancel={can(member.role, "run.cancel")}
        canResume={can(member.role, "model.call")}
        initialCase={[(await props.searchParams).case].flat()[0] ?? null}
      />
    </>
  );
}
