import { ZodError } from "zod";
import { ActivityFeed, type ActivityFilters } from "@/components/activity/activity-feed";
import { PageHeader } from "@/components/shell/page-header";
import { activityFilterOptions, listActivity } from "@/lib/activity/feed";
import { KIND_GROUP_NAMES, type ActivityPage, type KindGroup } from "@/lib/activity/types";
import { requireMember } from "@/lib/auth/session";
import { AppError, errorBody } from "@/lib/errors";

export const dynamic = "force-dynamic";
export const metadata = { title: "Activity" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  return text ? text : null;
}

export default async function ActivityPage({ searchParams }: { searchParams: SearchParams }) {
  const member = await requireMember();
  const params = await searchParams;
  const filters: ActivityFilters = {
    actor: first(params.actor),
    prompt: first(params.prompt),
    kinds: (first(params.kind) ?? "").split(",").filter((word): word is KindGroup => (KIND_GROUP_NAMES as string[]).includes(word)),
  };
  const query = {
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.prompt ? { prompt: filters.prompt } : {}),
    ...(filters.kinds.length > 0 ? { kind: filters.kinds.join(",") } : {}),
  };
  let page: ActivityPage;
  let problem: string | null = null;
  try {
    page = await listActivity(member.workspace.id, query);
  } catch (error) {
    // A hand-edited URL (an id too long) is told what is wrong and shown the whole feed, not an error page.
    if (!(error instanceof AppError) && !(error instanceof ZodError)) throw error;
    problem = errorBody(error).error.message;
    page = await listActivity(member.workspace.id);
  }
  const options = await activityFilterOptions(member.workspace.id);
  return (
    <>
      <PageHeader
        title="Activity"
        subtitle="What the team did in this workspace: versions saved, runs started and finished, comparisons opened, reviews, label moves and members."
      />
      {problem && (
        <p role="alert" className="mx-6 mt-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
          {problem}
        </p>
      )}
      {/* Keyed by the filters: a new filter starts from its own first page instead of keeping the old list. */}
      <ActivityFeed key={JSON.stringify(filters)} initial={page} filters={filters} options={options} />
    </>
  );
}
