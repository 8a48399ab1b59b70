import { withSession } from "@/lib/http/with-session";
import { acceptInvitationHandler } from "@/lib/invitations/handlers";

// A signed-in account that is not yet a member: no withWorkspace (the invitation decides the workspace).
export const POST = withSession(acceptInvitationHandler);
