import { PageHeader } from "@/components/shell/page-header";
import { PruneForm } from "@/components/prune/prune-form";
import { NotAllowed } from "@/components/shell/not-allowed";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { exampleFormOptions } from "@/lib/compare/ablation";

export const dynamic = "force-dynamic";
export const metadata = { title: "Prune examples" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function PrunePage({ searchParams }: { searchParams: SearchParams }) {
  const member = await requireMember();
  const params = await searchParams;
  const version = typeof params.version === "string" ? params.version : null;
  const { candidates, suites, connections } = await exampleFormOptions(member.workspace.id);
  return (
    <>
      <PageHeader title="Use as few examples as possible" subtitle="Removes examples one at a time, the least useful first, while the pass rate stays within a margin of the full prompt's." />
      <div className="p-6">
        {!can(member.role, "model.call") ? (
          <NotAllowed role={member.role} action="model.call" />
        ) : (
          <PruneForm
            candidates={candidates}
            suites={suites}
            connections={connections}
            initialVersionId={version}
            canSave={can(member.role, "prompt.edit")}
          />
        )}
      </div>
    </>
  );
}
