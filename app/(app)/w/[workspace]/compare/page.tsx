import Link from "next/link";
import { ZodError } from "zod";
import { PageHeader } from "@/components/shell/page-header";
import { ComparePicker } from "@/components/compare/compare-picker";
import { CompareScreen } from "@/components/compare/compare-screen";
import { ShareAction } from "@/components/share/share-action";
import { WaitingForResults } from "@/components/compare/waiting-for-results";
import { recordComparisonOpened } from "@/lib/activity/comparison-opened";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { getComparison, listComparableRuns } from "@/lib/compare/service";
import { preferenceSummary } from "@/lib/compare/votes";
import { listConnections } from "@/lib/connections/service";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "Compare" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `?variants=a,b,c` (first = baseline), or `?a=…&b=…` as the run page links it; `focus` picks B among several. */
function variantsFrom(params: Record<string, string | string[] | undefined>): string | null {
  const list = first(params.variants);
  if (list) return list;
  const a = first(params.a);
  const b = first(params.b);
  return a && b ? `${a},${b}` : null;
}

export default async function ComparePage({ searchParams }: { searchParams: SearchParams }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const params = await searchParams;
  const variants = variantsFrom(params);
  const canRun = can(member.role, "model.call");

  if (!variants) {
    const runs = await listComparableRuns(member.workspace.id);
    return (
      <>
        <PageHeader
          title="Compare"
          subtitle="Two or more variants side by side: pass rate, score, latency and cost, each with its interval, a p-value and a plain verdict."
          actions={canRun ? <Link className="btn" href={inWorkspace("/compare/ablation")}>Measure examples (ablation)</Link> : undefined}
        />
        <ComparePicker runs={runs} canRun={canRun} />
      </>
    );
  }

  let comparison;
  try {
    comparison = await getComparison(member.workspace.id, { variants });
  } catch (error) {
    if (!(error instanceof AppError) && !(error instanceof ZodError)) throw error;
    if (error instanceof AppError && error.code === "conflict") {
      return (
        <>
          <PageHeader title="Compare" />
          <WaitingForResults message={error.message} />
        </>
      );
    }
    const message = error instanceof AppError ? error.message : (error.issues[0]?.message ?? "The comparison link is not valid.");
    return (
      <>
        <PageHeader title="Compare" />
        <div className="p-6">
          <div className="card mx-auto max-w-xl p-6" role="alert" data-testid="compare-error">
            <h2 className="font-semibold">This comparison cannot be shown</h2>
            <p className="mt-1 text-sm text-slate-600">{message}</p>
            <Link className="btn mt-4" href={inWorkspace("/compare")}>Choose variants</Link>
          </div>
        </div>
      </>
    );
  }
  const ids = comparison.variants.map((variant) => variant.id);
  const [preferences, connections] = await Promise.all([
    Promise.all(ids.slice(1).map((id) => preferenceSummary(member.workspace.id, ids[0] as string, id))),
    listConnections(member.workspace.id),
    // the activity feed's "opened the comparison" line, at most one per member per comparison per hour
    recordComparisonOpened({ workspaceId: member.workspace.id, actorId: member.user.id, variantIds: ids }),
  ]);
  const focus = first(params.focus);
  const focusIndex = focus ? Math.max(1, ids.indexOf(focus)) : 1;
  const [variantA, variantB] = comparison.variants;
  const others = comparison.variants.length - 1;
  return (
    <>
      <PageHeader
        title={
          others === 1 ? (
            <span>
              {variantA?.label} <span className="font-normal text-slate-400">vs</span> {variantB?.label}
            </span>
          ) : (
            `${comparison.variants.length} variants against ${variantA?.label}`
          )
        }
        subtitle={`${comparison.analysedCases.toLocaleString("en-US")} cases every variant ran${comparison.variants[0]?.suiteName ? ` · suite ${comparison.variants[0].suiteName}` : ""}`}
        actions={
          <>
            <ShareAction member={member} resource="comparison" id={ids.join(",")} />
            <Link className="btn" href={inWorkspace("/compare")}>Choose variants</Link>
          </>
        }
      />
      <CompareScreen
        comparison={comparison}
        preferences={preferences}
        connections={connections.map((connection) => ({ id: connection.id, name: connection.name, models: connection.models.map((model) => model.name) }))}
        canVote={can(member.role, "vote.cast")}
        canJudge={canRun}
        initialB={focusIndex}
        initialCase={first(params.case) ?? null}
      />
    </>
  );
}
