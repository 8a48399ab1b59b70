import { withWorkspace } from "@/lib/http/with-workspace";
import { revokeInvitationHandler } from "@/lib/invitations/handlers";

export const DELETE = withWorkspace(revokeInvitationHandler, { action: "member.manage" });
