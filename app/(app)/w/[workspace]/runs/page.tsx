import { PageHeader } from "@/components/shell/page-header";
import { RunsList } from "@/components/runs/runs-list";
import type { RunSummaryView } from "@/components/runs/types";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listRuns } from "@/lib/runs/service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Runs" };

export default async function RunsPage() {
  const member = await requireMember();
  const runs = await listRuns(member.workspace.id);
  // Dates cross to the client component as ISO strings, as the API sends them.
  const views = JSON.parse(JSON.stringify(runs)) as RunSummaryView[];
  return (
    <>
      <PageHeader title="Runs" subtitle="Evaluations of prompt versions × models on suites, live while they run." />
      <RunsList initial={views} canRun={can(member.role, "model.call")} />
    </>
  );
}
