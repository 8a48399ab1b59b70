import { can, isRole, type Role } from "../auth/permissions.ts";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";

// What the "Request review" form offers: the members who may review this version (not its author, not me), and the
// prompt's recent runs and comparisons as evidence.

export interface ReviewerOption {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export interface EvidenceOption {
  type: "run" | "comparison";
  /** run id, or the comparison key (variant ids, comma-separated, baseline first) */
  id: string;
  label: string;
  createdAt: string;
}

export interface RequestOptions {
  reviewers: ReviewerOption[];
  evidence: EvidenceOption[];
}

export async function requestOptions(workspaceId: string, userId: string, versionId: string): Promise<RequestOptions> {
  const version = await db.promptVersion.findFirst({
    where: { id: versionId, prompt: { workspaceId } },
    select: { promptId: true, authorId: true, number: true },
  });
  if (!version) throw new AppError("not_found", "version", "No such prompt version in this workspace");
  const [memberships, runs] = await Promise.all([
    db.membership.findMany({ where: { workspaceId }, select: { role: true, user: { select: { id: true, name: true, email: true } } }, orderBy: { createdAt: "asc" } }),
    db.run.findMany({
      where: { workspaceId, variants: { some: { version: { promptId: version.promptId } } } },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: {
        id: true,
        name: true,
        createdAt: true,
        variants: { orderBy: { position: "asc" }, select: { id: true, label: true, version: { select: { number: true } } } },
      },
    }),
  ]);
  const reviewers = memberships
    .filter((row) => isRole(row.role) && can(row.role, "review.write") && row.user.id !== userId && row.user.id !== version.authorId)
    .map((row) => ({ ...row.user, role: row.role as Role }));
  const evidence: EvidenceOption[] = [];
  for (const run of runs) {
    const variants = run.variants.map((variant) => (variant.version ? `${variant.label} (v${variant.version.number})` : variant.label));
    const name = run.name || run.id;
    const createdAt = run.createdAt.toISOString();
    if (run.variants.length >= 2) {
      evidence.push({ type: "comparison", id: run.variants.map((variant) => variant.id).join(","), label: `Comparison: ${variants.join(" vs ")} — ${name}`, createdAt });
    }
    evidence.push({ type: "run", id: run.id, label: `Run: ${name} (${variants.join(", ")})`, createdAt });
  }
  return { reviewers, evidence };
}
