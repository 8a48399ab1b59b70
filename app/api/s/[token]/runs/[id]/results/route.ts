import { sharedResults } from "@/lib/share-links/content";
import { withShareLink } from "@/lib/share-links/with-share-link";

export const dynamic = "force-dynamic";

// GET /api/s/<token>/runs/<id>/results?offset&limit&filter&search — the shared run's results grid, a page at a time.
export const GET = withShareLink<{ token: string; id: string }>(async ({ request, link, params }) =>
  sharedResults(link, params.id, Object.fromEntries(new URL(request.url).searchParams)),
);
