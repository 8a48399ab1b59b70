import { sharedCaseDetail } from "@/lib/share-links/content";
import { withShareLink } from "@/lib/share-links/with-share-link";

export const dynamic = "force-dynamic";

// GET /api/s/<token>/compare/case?variants=a,b&key=… — /api/compare/case for a shared comparison's own variants.
export const GET = withShareLink(async ({ request, link }) => {
  const query = new URL(request.url).searchParams;
  return sharedCaseDetail(link, { variants: query.get("variants") ?? "", key: query.get("key") ?? "" });
});
