import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { localHandle, mentionedHandles } from "../markdown/mentions.ts";

// Who can be mentioned in a workspace, and by which handle: the email's local part, or the whole email when two
// members share the local part (then the short form is ambiguous and refused with both long forms named).

export interface MentionableMember {
  id: string;
  name: string;
  /** what goes after "@" */
  handle: string;
  email: string;
}

export async function listMentionable(workspaceId: string): Promise<MentionableMember[]> {
  const memberships = await db.membership.findMany({
    where: { workspaceId },
    select: { user: { select: { id: true, name: true, email: true } } },
    orderBy: { createdAt: "asc" },
  });
  const users = memberships.map((membership) => membership.user);
  const shared = new Map<string, number>();
  for (const user of users) shared.set(localHandle(user.email), (shared.get(localHandle(user.email)) ?? 0) + 1);
  return users
    .map((user) => {
      const local = localHandle(user.email);
      return { id: user.id, name: user.name, email: user.email, handle: (shared.get(local) ?? 0) > 1 ? user.email.toLowerCase() : local };
    })
    .sort((left, right) => left.name.localeCompare(right.name));
}

/**
 * The members a body mentions, or a 400 naming the first handle that is no member ("No member called @x in this
 * workspace") or that is ambiguous.
 */
export async function resolveMentions(workspaceId: string, body: string): Promise<MentionableMember[]> {
  const handles = mentionedHandles(body);
  if (handles.length === 0) return [];
  const members = await listMentionable(workspaceId);
  const resolved = new Map<string, MentionableMember>();
  for (const handle of handles) {
    const exact = members.find((member) => member.handle === handle || member.email.toLowerCase() === handle);
    if (exact) {
      resolved.set(exact.id, exact);
      continue;
    }
    const sharing = members.filter((member) => localHandle(member.email) === handle);
    if (sharing.length > 1) {
      const message = `@${handle} matches ${sharing.length} members: write ${sharing.map((member) => `@${member.handle}`).join(" or ")}`;
      throw new AppError("bad_request", "mention", message, [{ path: "body", message }]);
    }
    const message = `No member called @${handle} in this workspace`;
    throw new AppError("bad_request", "mention", message, [{ path: "body", message }]);
  }
  return [...resolved.values()];
}
