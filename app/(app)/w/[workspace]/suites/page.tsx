import { PageHeader } from "@/components/shell/page-header";
import { SuitesList } from "@/components/suites/suites-list";
import type { SuiteView } from "@/components/suites/types";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listSuites } from "@/lib/suites/suites";

export const dynamic = "force-dynamic";
export const metadata = { title: "Suites" };

export default async function SuitesPage() {
  const member = await requireMember();
  const suites: SuiteView[] = (await listSuites(member.workspace.id)).map((suite) => ({
    ...suite,
    assertions: suite.assertions as SuiteView["assertions"],
    createdAt: suite.createdAt.toISOString(),
    updatedAt: suite.updatedAt.toISOString(),
  }));
  return (
    <>
      <PageHeader title="Suites" subtitle="Test cases with assertions. Run them against prompt versions and models, from here or from CI." />
      <SuitesList suites={suites} canWrite={can(member.role, "suite.edit")} canRun={can(member.role, "model.call")} />
    </>
  );
}
