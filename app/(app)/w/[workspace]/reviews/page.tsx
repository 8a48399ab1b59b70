import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { ReviewStateBadge, VerdictBadge } from "@/components/reviews/review-badge";
import { requireMember } from "@/lib/auth/session";
import { formatTime } from "@/lib/format";
import { listReviews, type ReviewSummary } from "@/lib/reviews/read";
import { workspacePath } from "@/lib/workspaces/paths";

export const dynamic = "force-dynamic";
export const metadata = { title: "Reviews" };

const VIEWS = {
  "for-me": { title: "Waiting for me", empty: "Nobody is waiting for your review." },
  mine: { title: "Requested by me", empty: "You have not requested a review. Request one from a version on its prompt page." },
  all: { title: "All", empty: "No reviews in this workspace yet." },
} as const;
type View = keyof typeof VIEWS;

function isView(value: unknown): value is View {
  return typeof value === "string" && value in VIEWS;
}

export default async function ReviewsPage(props: { searchParams: Promise<{ view?: string; closed?: string }> }) {
  const member = await requireMember();
  const inWorkspace = (path: string) => workspacePath(member.workspace.slug, path);
  const search = await props.searchParams;
  const view: View = isView(search.view) ? search.view : "for-me";
  const showClosed = search.closed === "1";
  const reviews = await listReviews(member.workspace.id, member.user.id, {
    mine: view === "for-me" ? "review" : view === "mine" ? "author" : undefined,
    state: showClosed ? undefined : "active",
    limit: 200,
  });
  // "Waiting for me": asked of me and no verdict of mine on the version now under review.
  const shown = view === "for-me" ? reviews.filter((review) => review.reviewers.some((reviewer) => reviewer.id === member.user.id && reviewer.verdict === null)) : reviews;
  const query = (next: { view?: View; closed?: boolean }) => {
    const params = new URLSearchParams({ view: next.view ?? view });
    if (next.closed ?? showClosed) params.set("closed", "1");
    return inWorkspace(`/reviews?${params}`);
  };
  return (
    <>
      <PageHeader title="Reviews" subtitle="Sign-off before a protected label (production) moves to a version." />
      <div className="mx-auto max-w-5xl space-y-4 p-6">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <nav className="flex gap-1" aria-label="Which reviews">
            {(Object.keys(VIEWS) as View[]).map((name) => (
              <Link
                key={name}
                href={query({ view: name })}
                className={`rounded-md px-3 py-1.5 text-sm ${name === view ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
                aria-current={name === view ? "page" : undefined}
                data-testid={`reviews-view-${name}`}
              >
                {VIEWS[name].title}
              </Link>
            ))}
          </nav>
          <Link href={query({ closed: !showClosed })} className="text-xs text-slate-500 hover:text-slate-800">
            {showClosed ? "Hide closed reviews" : "Show closed reviews"}
          </Link>
        </div>
        {shown.length === 0 ? (
          <p className="card p-6 text-sm text-slate-500" data-testid="reviews-empty">{VIEWS[view].empty}</p>
        ) : (
          <ul className="card divide-y divide-slate-100" data-testid="reviews-list">
            {shown.map((review) => (
              <ReviewRow key={review.id} review={review} href={inWorkspace(`/reviews/${review.id}`)} />
            ))}
          </ul>
        )}
      </div>
    </>
  );
}

function ReviewRow({ review, href }: { review: ReviewSummary; href: string }) {
  return (
    <li className="flex items-start justify-between gap-4 p-4" data-testid="review-row">
      <div className="min-w-0">
        <div className="flex flex-wrap items-center gap-2">
          <Link href={href} className="truncate font-medium text-slate-900 hover:text-brand-700">{review.title}</Link>
          <ReviewStateBadge state={review.state} closedReason={review.closedReason} />
        </div>
        <div className="mt-0.5 text-xs text-slate-500">
          {review.prompt.name} v{review.version.number} · requested by {review.author?.name ?? "a former member"} · updated {formatTime(review.updatedAt)}
          {review.evidence && ` · evidence: ${review.evidence.type}`}
        </div>
      </div>
      <ul className="flex shrink-0 flex-wrap justify-end gap-1.5">
        {review.reviewers.map((reviewer) => (
          <li key={reviewer.id} className="flex items-center gap-1 text-xs text-slate-600">
            {reviewer.name} <VerdictBadge verdict={reviewer.verdict} />
          </li>
        ))}
      </ul>
    </li>
  );
}
