import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { ReviewMode } from "@/components/compare/review-mode";
import { NotAllowed } from "@/components/shell/not-allowed";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { pairQuery } from "@/lib/compare/schema";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "Blind review" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ReviewPage({ searchParams }: { searchParams: SearchParams }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const params = await searchParams;
  const parsed = pairQuery.safeParse({ a: params.a, b: params.b });
  if (!can(member.role, "vote.cast")) {
    return (
      <>
        <PageHeader title="Blind review" />
        <div className="p-6">
          <NotAllowed role={member.role} action="vote.cast" />
        </div>
      </>
    );
  }
  if (!parsed.success) {
    return (
      <>
        <PageHeader title="Blind review" />
        <div className="p-6">
          <div className="card mx-auto max-w-xl p-6" role="alert">
            <p className="text-sm text-slate-700">Open the review from a comparison: it needs the two variants (a and b).</p>
            <Link className="btn mt-4" href={inWorkspace("/compare")}>Go to Compare</Link>
          </div>
        </div>
      </>
    );
  }
  const { a, b } = parsed.data;
  // The header does not say which variant is which: the review is blind.
  return (
    <>
      <PageHeader title="Blind review" subtitle="Which answer is better? The two outputs are shown in random order, without names." />
      <ReviewMode a={a} b={b} backHref={inWorkspace(`/compare?variants=${a},${b}`)} />
    </>
  );
}
