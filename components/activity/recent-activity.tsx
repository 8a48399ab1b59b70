import Link from "next/link";
import { listActivity } from "@/lib/activity/feed";
import { workspacePath } from "@/lib/workspaces/paths";
import { ActivityLine } from "./activity-line";

const SHOWN = 6;

/** The prompt page's "Recent activity": the last few lines of the feed for this prompt, and a link to all of them. */
export async function RecentActivity(props: { workspace: { id: string; slug: string }; promptId: string }) {
  const page = await listActivity(props.workspace.id, { prompt: props.promptId, limit: SHOWN });
  const inWorkspace = (path: string) => workspacePath(props.workspace.slug, path);
  return (
    <section className="border-t border-slate-200 bg-white px-6 py-5" data-testid="recent-activity" aria-labelledby="recent-activity-heading">
      <div className="max-w-3xl">
        <div className="mb-2 flex items-baseline justify-between gap-3">
          <h2 id="recent-activity-heading" className="text-sm font-semibold">Recent activity</h2>
          <Link href={inWorkspace(`/activity?prompt=${encodeURIComponent(props.promptId)}`)} className="text-xs text-brand-700 hover:underline">
            All activity for this prompt →
          </Link>
        </div>
        {page.items.length === 0 ? (
          <p className="text-sm text-slate-500">Nothing yet.</p>
        ) : (
          <ol className="divide-y divide-slate-100">
            {page.items.map((item) => (
              <ActivityLine key={item.id} item={item} href={item.path ? inWorkspace(item.path) : null} when="relative" compact />
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
