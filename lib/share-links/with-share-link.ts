import { AppError } from "../errors.ts";
import { formatDate } from "../format.ts";
import { errorResponse, toResponse } from "../http/with-workspace.ts";
import { shareAccess } from "./access.ts";
import { resolveShareLink, type ShareLinkRecord } from "./service.ts";

// The token-scoped API under /api/s/<token>/…: what a shared page loads after its HTML. The token in the URL is the
// credential (no workspace header, no member); a workspace-scope link also needs a signed-in member of its workspace.
// Views are counted by the page, not here: one open of a shared comparison makes dozens of these requests.

type Handler<Params> = (context: { request: Request; link: ShareLinkRecord; params: Params }) => Promise<unknown>;

/** Why a token opens nothing, as the API says it (the page says the same in words). */
export async function openShareLink(token: string, requestHeaders: Headers): Promise<ShareLinkRecord> {
  const resolved = await resolveShareLink(token);
  if (!resolved.ok) {
    if (resolved.reason === "revoked") throw new AppError("not_found", "shareLink", "This link was revoked.");
    if (resolved.reason === "expired") throw new AppError("not_found", "shareLink", `This link expired on ${formatDate(resolved.at.toISOString())}.`);
    throw new AppError("not_found", "shareLink", "This link does not exist.");
  }
  const access = await shareAccess(resolved.link, requestHeaders);
  if (access === "signed-out") throw new AppError("unauthorized", "session", "Sign in to open this link: it is shared with the members of a workspace.");
  if (access === "not-member") throw new AppError("forbidden", "membership", "This link is shared with the members of a workspace you are not a member of.");
  return resolved.link;
}

export function withShareLink<Params extends { token: string }>(handler: Handler<Params>) {
  return async (request: Request, context: { params: Promise<Params> }): Promise<Response> => {
    try {
      const params = await context.params;
      const link = await openShareLink(params.token, request.headers);
      return toResponse(await handler({ request, link, params }));
    } catch (error) {
      return errorResponse(error);
    }
  };
}
