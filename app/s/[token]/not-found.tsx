import { headers } from "next/headers";
import { SharedNotice } from "@/components/share/shared-frame";
import { formatDate } from "@/lib/format";
import { resolveShareLink } from "@/lib/share-links/service";
import { PAGE_PATH_HEADER } from "@/lib/workspaces/paths";

// The 404 of a share link that opens nothing. Not-found pages get no params, so the token comes from the page path
// proxy.ts passes on (PAGE_PATH_HEADER, set on every request); the reason is read again (a lookup by the token's hash).

export const metadata = { title: "Link not available", robots: { index: false, follow: false } };

export default async function SharedLinkNotFound() {
  const path = (await headers()).get(PAGE_PATH_HEADER) ?? "";
  const token = /^\/s\/([^/?#]+)/.exec(path)?.[1] ?? "";
  const resolved = await resolveShareLink(token);
  if (!resolved.ok && resolved.reason === "revoked") {
    return (
      <SharedNotice title="This link was revoked" testId="share-revoked">
        Whoever shared it, or an admin of its workspace, turned it off on {formatDate(resolved.at.toISOString())}. Ask them for a new link if you still need it.
      </SharedNotice>
    );
  }
  if (!resolved.ok && resolved.reason === "expired") {
    return (
      <SharedNotice title={`This link expired on ${formatDate(resolved.at.toISOString())}`} testId="share-expired">
        Share links work for a limited time. Ask whoever sent it for a new one.
      </SharedNotice>
    );
  }
  return (
    <SharedNotice title="This link does not exist" testId="share-unknown">
      Check that it was copied whole: a share link is <span className="font-mono">/s/</span> followed by 43 characters.
    </SharedNotice>
  );
}
