import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { can } from "@/lib/auth/permissions";
import { createShareLinkInput } from "@/lib/share-links/schema";
import { createShareLink, listShareLinks } from "@/lib/share-links/service";

export const dynamic = "force-dynamic";

// POST /api/share-links {resource, id, scope, expiresInDays?} → 201 {id, url: "/s/<token>", expiresAt}; the token
// is in this answer only. GET lists my links (everyone's for shareLink.manage) with views, expiry and state.
export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, createShareLinkInput);
  const created = await createShareLink({ workspaceId: member.workspace.id, userId: member.user.id }, input);
  return Response.json(created, { status: 201, headers: { "cache-control": "no-store" } });
}, { action: "shareLink.create" });

export const GET = withWorkspace(
  async ({ member }) => listShareLinks({ workspaceId: member.workspace.id, userId: member.user.id, canManage: can(member.role, "shareLink.manage") }),
  { action: "shareLink.create" },
);
