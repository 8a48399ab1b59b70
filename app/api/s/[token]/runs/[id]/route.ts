import { sharedRun } from "@/lib/share-links/content";
import { withShareLink } from "@/lib/share-links/with-share-link";

export const dynamic = "force-dynamic";

// GET /api/s/<token>/runs/<id> — the shared run's summary (the id must be the shared run's).
export const GET = withShareLink<{ token: string; id: string }>(async ({ link, params }) => sharedRun(link, params.id));
