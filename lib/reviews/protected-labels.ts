import { db, type Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { protectedLabelsInput, type ProtectedLabel } from "../workspaces/schema.ts";

// Workspace.protectedLabels, parsed in one place: [{ name, approvals }]. Labels production traffic follows; moving
// one needs `label.moveProtected` (lib/auth/permissions.ts labelAction) and that many approvals of the version from
// people other than its author (lib/reviews/gate.ts).

// The setting's shape is the one the settings form and API validate (lib/workspaces/schema.ts): one schema.
export const protectedLabelList = protectedLabelsInput.shape.labels;
export type { ProtectedLabel };

/** What a workspace created before the setting existed (and the column default) protects. */
export const DEFAULT_PROTECTED_LABELS: readonly ProtectedLabel[] = [{ name: "production", approvals: 1 }];

/** The stored setting, typed. A corrupt value fails loudly rather than silently unprotecting production. */
export function parseProtectedLabels(stored: unknown): ProtectedLabel[] {
  const parsed = protectedLabelList.safeParse(stored);
  if (!parsed.success) {
    throw new AppError("internal", "workspace", `The workspace's protected labels setting is not valid: ${parsed.error.issues[0]?.message ?? "unknown"}`);
  }
  return parsed.data;
}

export async function loadProtectedLabels(workspaceId: string, client: Pick<Prisma.TransactionClient, "workspace"> = db): Promise<ProtectedLabel[]> {
  const workspace = await client.workspace.findUnique({ where: { id: workspaceId }, select: { protectedLabels: true } });
  if (!workspace) throw new AppError("not_found", "workspace", "No such workspace");
  return parseProtectedLabels(workspace.protectedLabels);
}

/** The names only, as labelAction takes them. */
export function protectedNames(labels: readonly ProtectedLabel[]): string[] {
  return labels.map((label) => label.name);
}
