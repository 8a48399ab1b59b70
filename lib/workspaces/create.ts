import { randomBytes } from "node:crypto";
import { db } from "../db.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import type { Role } from "../auth/permissions.ts";
import { RESERVED_SLUGS } from "./paths.ts";
import { DEMO_MODEL, LOCAL_CONNECTION_NAME, localModelServerUrl } from "./seed.ts";
import { slugify } from "./setup.ts";

// Any signed-in account can create a workspace and owns it. The slug comes from the name and never changes, so links
// pasted earlier keep working after a rename; "new" and "-" are pages of their own under /w/ and never a slug.

export interface MyWorkspace {
  id: string;
  name: string;
  slug: string;
  role: Role;
}

async function freeSlug(name: string): Promise<string> {
  const base = slugify(name);
  const taken = new Set((await db.workspace.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })).map((row) => row.slug));
  for (const candidate of [base, ...Array.from({ length: 50 }, (_, index) => `${base}-${index + 2}`)]) {
    if (!taken.has(candidate) && !RESERVED_SLUGS.includes(candidate)) return candidate;
  }
  return `${base}-${randomBytes(4).toString("hex")}`;
}

/** The new workspace with its creator as owner and the built-in local-model connection, in one transaction. */
export async function createWorkspace(userId: string, input: { name: string }): Promise<MyWorkspace> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const slug = attempt === 0 ? await freeSlug(input.name) : `${slugify(input.name)}-${randomBytes(4).toString("hex")}`;
    try {
      const workspace = await db.$transaction(async (tx) => {
        const created = await tx.workspace.create({ data: { name: input.name, slug } });
        await tx.membership.create({ data: { workspaceId: created.id, userId, role: "owner" } });
        // the same local connection the demo workspace has, so a new workspace can run a prompt without any key
        await tx.connection.create({
          data: {
            workspaceId: created.id,
            name: LOCAL_CONNECTION_NAME,
            kind: "local",
            preset: "local",
            baseUrl: localModelServerUrl(),
            concurrency: 4,
            models: { create: [{ name: DEMO_MODEL, contextWindow: 512, inputPricePerM: 0, outputPricePerM: 0 }] },
          },
        });
        return created;
      });
      return { id: workspace.id, name: workspace.name, slug: workspace.slug, role: "owner" };
    } catch (error) {
      // another workspace took the slug between the look-up and the insert: try a random suffix
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new AppError("conflict", "slug", "Could not find a free address for this workspace name; try another name.");
}

/** My workspaces with my role in each, oldest membership first (the order the switcher lists them in). */
export async function listMyWorkspaces(userId: string): Promise<MyWorkspace[]> {
  const rows = await db.membership.findMany({
    where: { userId },
    include: { workspace: { select: { id: true, name: true, slug: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((row) => ({ ...row.workspace, role: row.role }));
}
