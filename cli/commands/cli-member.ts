import type { Action, Role } from "../../lib/auth/permissions.ts";

// The person a management command acts as (`--as EMAIL`), checked with the permission matrix the API uses: the CLI
// works straight on the database, so it must refuse what the API would refuse that member.

export interface CliMember {
  user: { id: string; name: string };
  role: Role;
}

export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Refusal";
  }
}

export async function memberByEmail(workspace: { id: string; name: string }, email: string, action: Action): Promise<CliMember> {
  const { db } = await import("../../lib/db.ts");
  const { assertCan, isRole } = await import("../../lib/auth/permissions.ts");
  const address = email.trim().toLowerCase();
  const membership = await db.membership.findFirst({
    where: { workspaceId: workspace.id, user: { email: address } },
    select: { role: true, user: { select: { id: true, name: true } } },
  });
  if (!membership) throw new Refusal(`${address} is not a member of ${workspace.name}`);
  if (!isRole(membership.role)) throw new Refusal(`${address} has an unknown role "${membership.role}"`);
  assertCan({ role: membership.role }, action);
  return { user: membership.user, role: membership.role };
}

/** Exit code and message of a failure: refusals (403, 409) exit 1, invalid input and unknown names (400, 404) exit 2. */
export async function failureOf(error: unknown): Promise<{ code: number; message: string } | null> {
  const { AppError, errorBody } = await import("../../lib/errors.ts");
  const { ZodError } = await import("zod");
  const { UsageError } = await import("./eval-shared.ts");
  if (error instanceof Refusal) return { code: 1, message: error.message };
  if (error instanceof UsageError) return { code: 2, message: error.message };
  if (error instanceof ZodError) return { code: 2, message: errorBody(error).error.message };
  if (error instanceof AppError) {
    const refused = error.code === "conflict" || error.code === "forbidden";
    return { code: refused ? 1 : 2, message: error.message };
  }
  return null;
}
