import { sharedSearch } from "@/lib/share-links/content";
import { withShareLink } from "@/lib/share-links/with-share-link";

export const dynamic = "force-dynamic";

// GET /api/s/<token>/compare/search?variants=a,b&q=text — case search within a shared comparison.
export const GET = withShareLink(async ({ request, link }) => {
  const query = new URL(request.url).searchParams;
  return sharedSearch(link, { variants: query.get("variants") ?? "", q: query.get("q") ?? "" });
});
