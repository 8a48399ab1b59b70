import { can, isRole } from "../auth/permissions.ts";
import { db, type Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { loadProtectedLabels } from "./protected-labels.ts";

// The release gate: a protected label moves to a version only when enough people other than the version's author
// approved that very version. A reviewer's latest verdict on the version is what counts (a later "changes requested"
// replaces an earlier approval); approvals given on v2 say nothing about v3; decisions in a withdrawn review do not
// count (the author took the request back); the approver must still be a member who may review. The person moving
// the label may be one of the approvers: the rule is "never the author's own", not "a third person" (docs/decisions.md).

type Reader = Pick<Prisma.TransactionClient, "promptVersion" | "reviewDecision" | "membership" | "user" | "workspace">;

export interface Approver {
  id: string;
  name: string;
}

export interface LabelReadiness {
  label: string;
  versionId: string;
  versionNumber: number;
  promptName: string;
  /** whether the workspace protects this label; an unprotected label is always ready */
  protected: boolean;
  required: number;
  have: number;
  missing: number;
  /** whose approvals count, earliest first */
  approvers: Approver[];
  /** the version's author approved it: shown, never counted */
  authorApproval: Approver | null;
  /** the review whose approval completed the count (the newest counted one), for the audit log */
  reviewId: string | null;
  ready: boolean;
  /** why not, as the 409, the CLI and the disabled button say it */
  reason: string | null;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** "production needs 1 approval of support-triage v3 from someone other than its author; it has 0 (…)." */
export function readinessReason(readiness: Omit<LabelReadiness, "reason" | "ready">): string {
  const notes = [
    readiness.approvers.map((approver) => approver.name).join(", "),
    readiness.authorApproval ? `${readiness.authorApproval.name}'s own approval does not count` : "",
  ].filter(Boolean);
  const counted = notes.length > 0 ? ` (${notes.join("; ")})` : "";
  return (
    `${readiness.label} needs ${plural(readiness.required, "approval")} of ${readiness.promptName} v${readiness.versionNumber} ` +
    `from someone other than its author; it has ${readiness.have}${counted}.`
  );
}

export interface CountedApprovals {
  approvers: (Approver & { reviewId: string })[];
  authorApproval: Approver | null;
}

/** Who approved each version, as the gate counts it: three queries however many versions. */
export async function countedApprovals(
  client: Reader,
  workspaceId: string,
  versions: readonly { id: string; authorId: string | null }[],
): Promise<Map<string, CountedApprovals>> {
  const decisions = await client.reviewDecision.findMany({
    where: { versionId: { in: versions.map((version) => version.id) }, review: { workspaceId, NOT: { state: "closed", closedReason: "withdrawn" } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { versionId: true, reviewerId: true, verdict: true, reviewId: true },
  });
  // Newest first, so the first decision seen of each reviewer on a version is their latest verdict on it.
  const latest = new Map<string, (typeof decisions)[number]>();
  for (const decision of decisions) {
    const key = `${decision.versionId}|${decision.reviewerId}`;
    if (!latest.has(key)) latest.set(key, decision);
  }
  const approved = [...latest.values()].filter((decision) => decision.verdict === "approved").reverse();
  const ids = [...new Set(approved.map((decision) => decision.reviewerId))];
  const [users, memberships] = await Promise.all([
    client.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
    client.membership.findMany({ where: { workspaceId, userId: { in: ids } }, select: { userId: true, role: true } }),
  ]);
  const names = new Map(users.map((user) => [user.id, user.name]));
  const mayReview = new Set(memberships.filter((row) => isRole(row.role) && can(row.role, "review.write")).map((row) => row.userId));
  const result = new Map<string, CountedApprovals>(versions.map((version) => [version.id, { approvers: [], authorApproval: null }]));
  const authors = new Map(versions.map((version) => [version.id, version.authorId]));
  for (const decision of approved) {
    const entry = result.get(decision.versionId);
    if (!entry) continue;
    const person = { id: decision.reviewerId, name: names.get(decision.reviewerId) ?? "a former member" };
    if (decision.reviewerId === authors.get(decision.versionId)) entry.authorApproval = person;
    else if (mayReview.has(decision.reviewerId)) entry.approvers.push({ ...person, reviewId: decision.reviewId });
  }
  return result;
}

function readinessOf(
  base: { label: string; versionId: string; versionNumber: number; promptName: string },
  rule: { approvals: number } | undefined,
  counted: CountedApprovals,
): LabelReadiness {
  if (!rule) {
    return { ...base, protected: false, required: 0, have: 0, missing: 0, approvers: [], authorApproval: null, reviewId: null, ready: true, reason: null };
  }
  const have = counted.approvers.length;
  const missing = Math.max(0, rule.approvals - have);
  const facts = {
    ...base,
    protected: true,
    required: rule.approvals,
    have,
    missing,
    approvers: counted.approvers.map(({ id, name }) => ({ id, name })),
    authorApproval: counted.authorApproval,
    reviewId: counted.approvers.at(-1)?.reviewId ?? null,
  };
  return { ...facts, ready: missing === 0, reason: missing === 0 ? null : readinessReason(facts) };
}

/** Whether label `label` may move to the version, and if not, what is missing. */
export async function labelReadiness(
  workspaceId: string,
  promptId: string,
  label: string,
  versionId: string,
  client: Reader = db,
): Promise<LabelReadiness> {
  const version = await client.promptVersion.findFirst({
    where: { id: versionId, promptId, prompt: { workspaceId } },
    select: { id: true, number: true, authorId: true, prompt: { select: { name: true } } },
  });
  if (!version) throw new AppError("not_found", "version", "No such version of this prompt");
  const rule = (await loadProtectedLabels(workspaceId, client)).find((item) => item.name === label);
  const base = { label, versionId: version.id, versionNumber: version.number, promptName: version.prompt.name };
  const counted = rule ? (await countedApprovals(client, workspaceId, [version])).get(version.id) : undefined;
  return readinessOf(base, rule, counted ?? { approvers: [], authorApproval: null });
}

/** The 409 a refused move throws: the message names what is missing, details carry the figures. */
export function gateRefusal(readiness: LabelReadiness): AppError {
  const message = readiness.reason ?? readinessReason(readiness);
  return new AppError("conflict", "label", message, [
    { path: "approvals", message, label: readiness.label, required: readiness.required, have: readiness.have, missing: readiness.missing },
  ]);
}

/** Readiness of every protected label for each of a prompt's versions (versionId → label → readiness), for the versions list. */
export async function promptReadiness(workspaceId: string, promptId: string): Promise<Record<string, Record<string, LabelReadiness>>> {
  const [labels, versions] = await Promise.all([
    loadProtectedLabels(workspaceId),
    db.promptVersion.findMany({
      where: { promptId, prompt: { workspaceId } },
      select: { id: true, number: true, authorId: true, prompt: { select: { name: true } } },
    }),
  ]);
  const counted = labels.length > 0 ? await countedApprovals(db, workspaceId, versions) : new Map<string, CountedApprovals>();
  const result: Record<string, Record<string, LabelReadiness>> = {};
  for (const version of versions) {
    const base = { versionId: version.id, versionNumber: version.number, promptName: version.prompt.name };
    const entry: Record<string, LabelReadiness> = {};
    for (const label of labels) entry[label.name] = readinessOf({ ...base, label: label.name }, label, counted.get(version.id) ?? { approvers: [], authorApproval: null });
    result[version.id] = entry;
  }
  return result;
}
