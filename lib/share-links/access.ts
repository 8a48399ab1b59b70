import { getAuth } from "../auth/auth.ts";
import { db } from "../db.ts";
import type { ShareLinkRecord } from "./service.ts";

// Who may open a link: anyone for "anyone" links; for "workspace" links a signed-in member of the link's workspace
// (of that workspace, not whichever one the visitor last used).

export type ShareAccess = "allowed" | "signed-out" | "not-member";

export async function shareAccess(link: Pick<ShareLinkRecord, "scope" | "workspaceId">, requestHeaders: Headers): Promise<ShareAccess> {
  if (link.scope === "anyone") return "allowed";
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) return "signed-out";
  const membership = await db.membership.findUnique({
    where: { workspaceId_userId: { workspaceId: link.workspaceId, userId: session.user.id } },
    select: { id: true },
  });
  return membership ? "allowed" : "not-member";
}
