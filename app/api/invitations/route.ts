import { withWorkspace } from "@/lib/http/with-workspace";
import { createInvitationHandler, listInvitationsHandler } from "@/lib/invitations/handlers";

export const GET = withWorkspace(listInvitationsHandler, { action: "member.manage" });
export const POST = withWorkspace(createInvitationHandler, { action: "member.manage" });
