import { z } from "zod";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { getAuth } from "../auth/auth.ts";

export const setupInput = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100),
  email: z.string().trim().toLowerCase().email("Enter a valid email address"),
  password: z.string().min(8, "Use at least 8 characters").max(200),
  workspaceName: z.string().trim().min(1, "Name the workspace").max(100),
});
export type SetupInput = z.infer<typeof setupInput>;

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 48) || "workspace"
  );
}

/**
 * First visit on a new database: creates the owner account (through better-auth) and the first workspace. The demo
 * workspace seeded on first start has no members yet; the owner adopts it, so their first workspace already holds the
 * example prompts.
 */
export async function setupOwner(input: SetupInput): Promise<Response> {
  if ((await db.user.count()) > 0) {
    throw new AppError("conflict", "setup", "Assay is already set up; sign in instead.");
  }
  const auth = await getAuth();
  const signUp = await auth.api.signUpEmail({
    body: { name: input.name, email: input.email, password: input.password },
    asResponse: true,
  });
  if (!signUp.ok) {
    const body = (await signUp.json().catch(() => ({}))) as { message?: string };
    throw new AppError("bad_request", "setup", body.message ?? `Could not create the account (${signUp.status}).`);
  }
  const user = await db.user.findUniqueOrThrow({ where: { email: input.email } });
  const workspace = await db.$transaction(async (tx) => {
    const unowned = await tx.workspace.findFirst({ where: { memberships: { none: {} } }, orderBy: { createdAt: "asc" } });
    const workspace = unowned
      ? await tx.workspace.update({ where: { id: unowned.id }, data: { name: input.workspaceName } })
      : await tx.workspace.create({ data: { name: input.workspaceName, slug: `${slugify(input.workspaceName)}-${Date.now().toString(36)}` } });
    await tx.membership.create({ data: { workspaceId: workspace.id, userId: user.id, role: "owner" } });
    return workspace;
  });
  const response = Response.json({ workspace: { id: workspace.id, name: workspace.name } }, { status: 201 });
  for (const cookie of signUp.headers.getSetCookie()) response.headers.append("set-cookie", cookie);
  return response;
}
