import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { getAuth } from "../auth/auth.ts";
import { inspectInvitation, stateMessage, type InvitationView } from "./service.ts";

// What /invite/<token> shows: why the link is dead, or how to join — as the signed-in account, by signing in to the
// invited account, or by creating one.

export type InvitationPage =
  | { kind: "invalid"; message: string }
  | { kind: "closed"; invitation: InvitationView; message: string }
  | { kind: "member"; invitation: InvitationView }
  | { kind: "join"; invitation: InvitationView; user: { name: string; email: string } }
  | { kind: "sign-in"; invitation: InvitationView }
  | { kind: "sign-up"; invitation: InvitationView };

export async function invitationPage(token: string, requestHeaders: Headers): Promise<InvitationPage> {
  let invitation: InvitationView;
  try {
    invitation = await inspectInvitation(token);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return { kind: "invalid", message: error.message };
    throw error;
  }
  const session = await (await getAuth()).api.getSession({ headers: requestHeaders });
  if (session) {
    const member = await db.membership.findFirst({ where: { userId: session.user.id, workspace: { slug: invitation.workspace.slug } }, select: { id: true } });
    // a member opening the link again just goes to the workspace, whatever state the link is in
    if (member) return { kind: "member", invitation };
  }
  if (invitation.state !== "pending") return { kind: "closed", invitation, message: stateMessage(invitation.state, new Date(invitation.expiresAt)) };
  if (session) return { kind: "join", invitation, user: { name: session.user.name, email: session.user.email } };
  const existing = await db.user.findUnique({ where: { email: invitation.email }, select: { id: true } });
  return existing ? { kind: "sign-in", invitation } : { kind: "sign-up", invitation };
}
