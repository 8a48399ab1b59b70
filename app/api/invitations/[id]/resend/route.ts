import { withWorkspace } from "@/lib/http/with-workspace";
import { resendInvitationHandler } from "@/lib/invitations/handlers";

export const POST = withWorkspace(resendInvitationHandler, { action: "member.manage" });
