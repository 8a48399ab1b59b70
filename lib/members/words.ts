import type { Role } from "../auth/permissions.ts";

/** "an admin", "an editor", "a viewer", "an owner": how refusals name the caller's role. */
export function withArticle(role: Role): string {
  return `${role === "viewer" ? "a" : "an"} ${role}`;
}
