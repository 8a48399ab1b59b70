import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/shell/page-header";
import { SuitePage } from "@/components/suites/suite-page";
import type { CasePageView, SuiteView } from "@/components/suites/types";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { AppError, unlessNotFound } from "@/lib/errors";
import { getSuite, listCases } from "@/lib/suites/suites";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";

export async function generateMetadata(props: { params: Promise<{ id: string }> }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const { id } = await props.params;
  const suite = await unlessNotFound(getSuite(member.workspace.id, id));
  return { title: suite ? suite.name : "Suite" };
}

export default async function SuiteRoute(props: { params: Promise<{ id: string }> }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const { id } = await props.params;
  let suite;
  try {
    suite = await getSuite(member.workspace.id, id);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
  const page = await listCases(member.workspace.id, suite.id, { offset: 0, limit: 50 });
  const view: SuiteView = {
    ...suite,
    assertions: suite.assertions as SuiteView["assertions"],
    createdAt: suite.createdAt.toISOString(),
    updatedAt: suite.updatedAt.toISOString(),
  };
  const cases: CasePageView = { ...page, cases: page.cases.map((item) => ({ ...item, assertions: item.assertions as SuiteView["assertions"] })) };
  return (
    <>
      <PageHeader
        title={
          <span>
            <Link href={inWorkspace("/suites")} className="text-slate-400 hover:text-slate-600">Suites</Link>
            <span className="mx-2 text-slate-300">/</span>
            <span data-testid="suite-title">{suite.name}</span>
          </span>
        }
        subtitle={suite.description || undefined}
      />
      <SuitePage suite={view} cases={cases} canWrite={can(member.role, "suite.edit")} canRun={can(member.role, "model.call")} />
    </>
  );
}
