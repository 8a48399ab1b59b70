import { readJson } from "@/lib/http/with-workspace";
import { outputsInput } from "@/lib/compare/schema";
import { sharedOutputs } from "@/lib/share-links/content";
import { withShareLink } from "@/lib/share-links/with-share-link";

export const dynamic = "force-dynamic";

// POST /api/s/<token>/compare/outputs {variants, keys} — output previews of a shared comparison's rows (a read, POST
// only because a few hundred keys do not fit a URL).
export const POST = withShareLink(async ({ request, link }) => sharedOutputs(link, await readJson(request, outputsInput)));
