import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { workspacePath } from "@/lib/workspaces/paths";
import { AblationForm } from "@/components/compare/ablation-form";
import { NotAllowed } from "@/components/shell/not-allowed";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { exampleFormOptions } from "@/lib/compare/ablation";

export const dynamic = "force-dynamic";
export const metadata = { title: "Measure examples" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AblationPage({ searchParams }: { searchParams: SearchParams }) {
  const member = await requireMember();
  const params = await searchParams;
  const version = typeof params.version === "string" ? params.version : null;
  const { candidates, suites, connections } = await exampleFormOptions(member.workspace.id);
  return (
    <>
      <PageHeader title="Do the examples earn their tokens?" subtitle="Runs one prompt version zero-shot, with its examples, and with examples plus counterexamples — then compares them."
        actions={can(member.role, "model.call") ? <Link className="btn" href={workspacePath(member.workspace.slug, `/compare/prune${version ? `?version=${encodeURIComponent(version)}` : ""}`)} data-testid="open-prune">Prune examples</Link> : undefined}
      />
      <div className="p-6">
        {!can(member.role, "model.call") ? (
          <NotAllowed role={member.role} action="model.call" />
        ) : (
          <AblationForm
            candidates={candidates}
            suites={suites}
            connections={connections}
            initialVersionId={version}
          />
        )}
      </div>
    </>
  );
}
