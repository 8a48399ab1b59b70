import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/shell/page-header";
import { AuthorActions, DecisionForm } from "@/components/reviews/review-actions";
import { ReviewStateBadge, VerdictBadge } from "@/components/reviews/review-badge";
import { ReviewEvidence, type EvidenceView } from "@/components/reviews/review-evidence";
import type { RunDetailView } from "@/components/runs/types";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { getComparison } from "@/lib/compare/service";
import { AppError, messageOf, unlessNotFound } from "@/lib/errors";
import { formatTime } from "@/lib/format";
import { getReview, type ReviewDetail } from "@/lib/reviews/read";
import { getRun } from "@/lib/runs/service";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "Review" };

async function loadEvidence(workspaceId: string, slug: string, review: ReviewDetail): Promise<EvidenceView | null> {
  if (!review.evidence) return null;
  const { type, id } = review.evidence;
  if (type === "run") {
    const run = await unlessNotFound(getRun(workspaceId, id));
    if (!run) return { type: "missing", what: "a run", problem: "The run attached to this review was deleted." };
    return { type: "run", href: workspacePath(slug, `/runs/${id}`), run: JSON.parse(JSON.stringify(run)) as RunDetailView };
  }
  try {
    const comparison = await getComparison(workspaceId, { variants: id });
    return { type: "comparison", href: workspacePath(slug, `/compare?variants=${id}`), comparison };
  } catch (error) {
    // A deleted run or one without results yet: say so where the verdicts would be, instead of failing the page.
    if (error instanceof AppError && (error.code === "not_found" || error.code === "conflict")) {
      return { type: "missing", what: "a comparison", problem: messageOf(error) };
    }
    throw error;
  }
}

export default async function ReviewPage(props: { params: Promise<{ id: string }> }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const { id } = await props.params;
  const review = await unlessNotFound(getReview(member.workspace.id, id));
  if (!review) notFound();
  const evidence = await loadEvidence(member.workspace.id, member.workspace.slug, review);
  const me = member.user.id;
  const isAuthor = review.author?.id === me;
  const wroteVersion = review.version.author?.id === me;
  const active = review.state !== "closed";
  const mayDecide = active && can(member.role, "review.write") && !isAuthor && !wroteVersion;
  const versionHref = inWorkspace(`/prompts/${review.prompt.id}?v=${review.version.number}`);

  return (
    <>
      <PageHeader
        title={
          <span>
            <Link href={inWorkspace("/reviews")} className="text-slate-400 hover:text-slate-600">Reviews</Link>
            <span className="mx-2 text-slate-300">/</span>
            <span data-testid="review-title">{review.title}</span>
          </span>
        }
        subtitle={
          <span className="flex flex-wrap items-center gap-2">
            <ReviewStateBadge state={review.state} closedReason={review.closedReason} />
            <Link href={versionHref} className="font-medium text-brand-700 hover:underline" data-testid="review-version">
              {review.prompt.name} v{review.version.number}
            </Link>
            <span>
              written by {review.version.author?.name ?? "the seed"} · review requested by {review.author?.name ?? "a former member"} {formatTime(review.createdAt)}
            </span>
          </span>
        }
      />
      <div className="mx-auto grid max-w-6xl gap-5 p-6 lg:grid-cols-[minmax(0,1fr)_320px]">
        <div className="min-w-0 space-y-5">
          <ReviewEvidence evidence={evidence} />
          <section className="card p-4">
            <h2 className="text-sm font-semibold">Description</h2>
            {review.description.trim() ? (
              <div className="mt-2 whitespace-pre-wrap break-words text-sm text-slate-800" data-testid="review-description">{review.description}</div>
            ) : (
              <p className="mt-1 text-sm text-slate-500">No description.</p>
            )}
            {review.version.commitMessage && <p className="mt-3 text-xs text-slate-500">Commit message of v{review.version.number}: {review.version.commitMessage}</p>}
          </section>
          {mayDecide && <DecisionForm reviewId={review.id} versionNumber={review.version.number} myVerdict={review.reviewers.find((reviewer) => reviewer.id === me)?.verdict ?? null} />}
          <section className="card p-4" data-testid="decision-history">
            <h2 className="text-sm font-semibold">Decisions</h2>
            {review.decisions.length === 0 ? (
              <p className="mt-1 text-sm text-slate-500">No decision yet.</p>
            ) : (
              <ol className="mt-2 divide-y divide-slate-100">
                {[...review.decisions].reverse().map((decision) => (
                  <li key={decision.id} className="py-2.5" data-testid="decision">
                    <div className="flex flex-wrap items-center gap-2 text-sm">
                      <span className="font-medium">{decision.reviewer.name}</span>
                      <VerdictBadge verdict={decision.verdict} />
                      <span className={`text-xs ${decision.version.id === review.version.id ? "text-slate-500" : "text-amber-700"}`}>
                        on v{decision.version.number}{decision.version.id === review.version.id ? "" : " (an earlier version)"}
                      </span>
                      <time className="text-xs text-slate-400" dateTime={decision.createdAt}>{formatTime(decision.createdAt)}</time>
                    </div>
                    {decision.comment && <p className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-700">{decision.comment.body}</p>}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
        <aside className="space-y-5">
          <section className="card p-4" data-testid="reviewers">
            <h2 className="text-sm font-semibold">Reviewers</h2>
            <ul className="mt-2 space-y-2">
              {review.reviewers.map((reviewer) => (
                <li key={reviewer.id} className="flex items-center justify-between gap-2 text-sm" data-testid="reviewer">
                  <span className="truncate">{reviewer.name}</span>
                  <VerdictBadge verdict={reviewer.verdict} />
                </li>
              ))}
            </ul>
          </section>
          {review.gate.length > 0 && (
            <section className="card p-4" data-testid="review-gate">
              <h2 className="text-sm font-semibold">Release gate for v{review.version.number}</h2>
              <ul className="mt-2 space-y-2 text-sm">
                {review.gate.map((gate) => (
                  <li key={gate.label}>
                    <div className="flex items-center justify-between gap-2">
                      <span className="font-mono text-xs">{gate.label}</span>
                      <span className={gate.ready ? "text-emerald-700" : "text-amber-800"}>
                        {gate.have}/{gate.required} approval{gate.required === 1 ? "" : "s"} {gate.ready ? "✓" : ""}
                      </span>
                    </div>
                    {gate.reason && <p className="mt-0.5 text-xs text-slate-500">{gate.reason}</p>}
                  </li>
                ))}
              </ul>
              <Link className="mt-3 inline-block text-xs font-medium text-brand-700 hover:underline" href={versionHref}>Move labels on the prompt page →</Link>
            </section>
          )}
          {active && isAuthor && can(member.role, "review.write") && (
            <AuthorActions reviewId={review.id} versionNumber={review.version.number} newerVersions={review.newerVersions} />
          )}
          {active && !mayDecide && !isAuthor && (
            <p className="text-xs text-slate-500" data-testid="cannot-decide">
              {wroteVersion ? "You wrote this version: someone else has to approve it." : "Editors and above can approve or request changes."}
            </p>
          )}
        </aside>
      </div>
    </>
  );
}
