import { env } from "../env.ts";
import { readJson, type RouteContext } from "../http/with-workspace.ts";
import type { SessionUser } from "../http/with-session.ts";
import { createInvitationInput, invitationSignUpInput, invitationTokenInput } from "./schema.ts";
import { acceptInvitation, createInvitation, listPendingInvitations, resendInvitation, revokeInvitation } from "./service.ts";
import { signUpWithInvitation } from "./sign-up.ts";

// The invitation routes (app/api/invitations/**), one function each.

/** Links point at ASSAY_PUBLIC_URL when it is set, else at the origin the admin reached the app through. */
function linkBase(request: Request): string {
  return env.ASSAY_PUBLIC_URL ?? new URL(request.url).origin;
}

export async function listInvitationsHandler({ member }: RouteContext<Record<string, string>>) {
  return { invitations: await listPendingInvitations(member.workspace.id) };
}

export async function createInvitationHandler({ request, member }: RouteContext<Record<string, string>>) {
  const input = await readJson(request, createInvitationInput);
  return Response.json(await createInvitation(member, input, { baseUrl: linkBase(request) }), { status: 201 });
}

export async function revokeInvitationHandler({ member, params }: RouteContext<{ id: string }>) {
  await revokeInvitation(member.workspace.id, params.id);
}

export async function resendInvitationHandler({ request, member, params }: RouteContext<{ id: string }>) {
  return resendInvitation(member, params.id, { baseUrl: linkBase(request) });
}

export async function acceptInvitationHandler({ request, user }: { request: Request; user: SessionUser }) {
  const { token } = await readJson(request, invitationTokenInput);
  return acceptInvitation(token, user);
}

/** Public: a new person's account and membership; answers with the session cookie set. */
export async function invitationSignUpHandler(request: Request): Promise<Response> {
  const { joined, cookies } = await signUpWithInvitation(await readJson(request, invitationSignUpInput));
  const response = Response.json(joined, { status: 201 });
  for (const cookie of cookies) response.headers.append("set-cookie", cookie);
  return response;
}
