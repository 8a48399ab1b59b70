import { withSession } from "@/lib/http/with-session";
import { createWorkspaceHandler, listMyWorkspacesHandler } from "@/lib/workspaces/handlers";

// Any signed-in account: its own workspaces, and a new one it will own.
export const GET = withSession(listMyWorkspacesHandler);
export const POST = withSession(createWorkspaceHandler);
