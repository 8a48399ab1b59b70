import { z } from "zod";
import { readJson, type RouteContext } from "../http/with-workspace.ts";
import { roleInput } from "../invitations/schema.ts";
import { changeRole, listMembers, removeMember, transferOwnership } from "./service.ts";

// The member routes (app/api/members/**, app/api/workspaces/transfer), one function each.

const changeRoleInput = z.object({ role: roleInput });
const transferInput = z.object({ userId: z.string({ message: "Choose the member who becomes owner" }).trim().min(1, "Choose the member who becomes owner") });

/** "me" stands for the caller, so a script can leave without looking up its own id. */
function userIdOf(params: { userId: string }, member: { user: { id: string } }): string {
  return params.userId === "me" ? member.user.id : params.userId;
}

export async function listMembersHandler({ member }: RouteContext<Record<string, string>>) {
  return { members: await listMembers(member.workspace.id) };
}

export async function changeRoleHandler({ request, member, params }: RouteContext<{ userId: string }>) {
  const { role } = await readJson(request, changeRoleInput);
  return changeRole(member, userIdOf(params, member), role);
}

export async function removeMemberHandler({ member, params }: RouteContext<{ userId: string }>) {
  return removeMember(member, userIdOf(params, member));
}

export async function transferOwnershipHandler({ request, member }: RouteContext<Record<string, string>>) {
  const { userId } = await readJson(request, transferInput);
  return transferOwnership(member, userId);
}
