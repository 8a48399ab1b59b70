import { getAuth } from "../auth/auth.ts";
import { AppError } from "../errors.ts";
import { errorResponse, toResponse } from "./with-workspace.ts";

// For the few API routes a signed-in account may call before it belongs to the workspace in question: accepting an
// invitation, creating a workspace, listing one's workspaces. Everything else goes through withWorkspace.

export interface SessionUser {
  id: string;
  name: string;
  email: string;
}

type Handler = (context: { request: Request; user: SessionUser }) => Promise<unknown>;

export async function requireSessionUser(headers: Headers): Promise<SessionUser> {
  const session = await (await getAuth()).api.getSession({ headers });
  if (!session) throw new AppError("unauthorized", "session", "Sign in to use Assay.");
  return { id: session.user.id, name: session.user.name, email: session.user.email };
}

export function withSession(handler: Handler) {
  return async (request: Request): Promise<Response> => {
    try {
      const user = await requireSessionUser(request.headers);
      return toResponse(await handler({ request, user }));
    } catch (error) {
      return errorResponse(error);
    }
  };
}
