import { db, type Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { labelReadiness, type LabelReadiness } from "./gate.ts";
import { loadProtectedLabels } from "./protected-labels.ts";
import { reviewListQuery, type ReviewListQuery } from "./schema.ts";

// What the review pages and GET /api/reviews return: plain JSON (ISO dates), people as { id, name }.

export type ReviewStateName = "open" | "approved" | "changes_requested" | "closed";
export type Verdict = "approved" | "changes_requested";

export interface Person {
  id: string;
  name: string;
}

export interface ReviewSummary {
  id: string;
  title: string;
  state: ReviewStateName;
  closedReason: string | null;
  prompt: { id: string; name: string };
  version: { id: string; number: number };
  author: Person | null;
  reviewers: (Person & { verdict: Verdict | null })[];
  evidence: { type: "run" | "comparison"; id: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface ReviewDecisionView {
  id: string;
  reviewer: Person;
  verdict: Verdict;
  version: { id: string; number: number };
  comment: { id: string; body: string } | null;
  createdAt: string;
}

export interface ReviewDetail extends ReviewSummary {
  description: string;
  version: { id: string; number: number; commitMessage: string; author: Person | null; createdAt: string };
  /** every decision, on every version the review was on, oldest first */
  decisions: ReviewDecisionView[];
  /** the protected labels and whether the reviewed version may take each */
  gate: LabelReadiness[];
  /** versions of the prompt newer than the reviewed one (what the author can re-request on) */
  newerVersions: { id: string; number: number; commitMessage: string }[];
}

const summarySelect = {
  id: true,
  title: true,
  state: true,
  closedReason: true,
  promptId: true,
  versionId: true,
  authorId: true,
  evidenceType: true,
  evidenceId: true,
  createdAt: true,
  updatedAt: true,
  reviewers: { select: { userId: true } },
  decisions: { orderBy: { createdAt: "asc" }, select: { id: true, reviewerId: true, verdict: true, versionId: true, commentId: true, createdAt: true } },
} as const satisfies Prisma.ReviewSelect;

type SummaryRow = Prisma.ReviewGetPayload<{ select: typeof summarySelect }>;

async function peopleById(ids: readonly (string | null)[]): Promise<Map<string, Person>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(users.map((user) => [user.id, user]));
}

function personOf(people: Map<string, Person>, id: string | null): Person | null {
  if (!id) return null;
  return people.get(id) ?? { id, name: "a former member" };
}

/** Each reviewer's latest verdict on the version now under review (earlier versions' verdicts are history). */
export function latestVerdicts(decisions: readonly { reviewerId: string; verdict: Verdict; versionId: string }[], versionId: string): Map<string, Verdict> {
  const latest = new Map<string, Verdict>();
  for (const decision of decisions) if (decision.versionId === versionId) latest.set(decision.reviewerId, decision.verdict);
  return latest;
}

function toSummary(
  row: SummaryRow,
  people: Map<string, Person>,
  prompts: Map<string, string>,
  numbers: Map<string, number>,
): ReviewSummary {
  const verdicts = latestVerdicts(row.decisions, row.versionId);
  const reviewerIds = [...new Set([...row.reviewers.map((reviewer) => reviewer.userId), ...row.decisions.map((decision) => decision.reviewerId)])];
  return {
    id: row.id,
    title: row.title,
    state: row.state,
    closedReason: row.closedReason,
    prompt: { id: row.promptId, name: prompts.get(row.promptId) ?? "a deleted prompt" },
    version: { id: row.versionId, number: numbers.get(row.versionId) ?? 0 },
    author: personOf(people, row.authorId),
    reviewers: reviewerIds.map((id) => ({ ...(personOf(people, id) as Person), verdict: verdicts.get(id) ?? null })),
    evidence: row.evidenceType && row.evidenceId ? { type: row.evidenceType as "run" | "comparison", id: row.evidenceId } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function summaries(rows: SummaryRow[]): Promise<{ list: ReviewSummary[]; people: Map<string, Person>; numbers: Map<string, number> }> {
  const versionIds = [...new Set(rows.flatMap((row) => [row.versionId, ...row.decisions.map((decision) => decision.versionId)]))];
  const [people, versions, prompts] = await Promise.all([
    peopleById(rows.flatMap((row) => [row.authorId, ...row.reviewers.map((reviewer) => reviewer.userId), ...row.decisions.map((decision) => decision.reviewerId)])),
    db.promptVersion.findMany({ where: { id: { in: versionIds } }, select: { id: true, number: true } }),
    db.prompt.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.promptId))] } }, select: { id: true, name: true } }),
  ]);
  const numbers = new Map(versions.map((version) => [version.id, version.number]));
  const promptNames = new Map(prompts.map((prompt) => [prompt.id, prompt.name]));
  return { list: rows.map((row) => toSummary(row, people, promptNames, numbers)), people, numbers };
}

/** Reviews of the workspace, newest first; `mine` narrows to those asked of me or requested by me. */
export async function listReviews(workspaceId: string, userId: string, query: ReviewListQuery = {}): Promise<ReviewSummary[]> {
  const { promptId, state, mine, limit } = reviewListQuery.parse(query);
  const where: Prisma.ReviewWhereInput = {
    workspaceId,
    ...(promptId ? { promptId } : {}),
    ...(state === "active" ? { state: { not: "closed" } } : state ? { state } : {}),
    ...(mine === "review" ? { reviewers: { some: { userId } } } : mine === "author" ? { authorId: userId } : {}),
  };
  const rows = await db.review.findMany({ where, orderBy: [{ updatedAt: "desc" }, { id: "desc" }], take: limit, select: summarySelect });
  return (await summaries(rows)).list;
}

/** One review with its decision history, its evidence reference and the gate for its version. */
export async function getReview(workspaceId: string, reviewId: string): Promise<ReviewDetail> {
  const row = await db.review.findFirst({ where: { id: reviewId, workspaceId }, select: { ...summarySelect, description: true } });
  if (!row) throw new AppError("not_found", "review", `No review ${reviewId} in this workspace`);
  const { list, people, numbers } = await summaries([row]);
  const summary = list[0] as ReviewSummary;
  const [version, comments, labels, newer] = await Promise.all([
    db.promptVersion.findUnique({ where: { id: row.versionId }, select: { number: true, commitMessage: true, authorId: true, createdAt: true } }),
    db.comment.findMany({
      where: { workspaceId, id: { in: row.decisions.map((decision) => decision.commentId).filter((id): id is string => id !== null) } },
      select: { id: true, body: true, deletedAt: true },
    }),
    loadProtectedLabels(workspaceId),
    db.promptVersion.findMany({ where: { promptId: row.promptId, number: { gt: numbers.get(row.versionId) ?? 0 } }, orderBy: { number: "desc" }, select: { id: true, number: true, commitMessage: true } }),
  ]);
  if (!version) throw new AppError("not_found", "version", "The reviewed version no longer exists");
  const versionAuthor = version.authorId ? ((await peopleById([version.authorId])).get(version.authorId) ?? { id: version.authorId, name: "a former member" }) : null;
  const bodies = new Map(comments.map((comment) => [comment.id, comment.deletedAt ? "(comment deleted)" : comment.body]));
  const gate = await Promise.all(labels.map((label) => labelReadiness(workspaceId, row.promptId, label.name, row.versionId)));
  return {
    ...summary,
    description: row.description,
    version: { id: row.versionId, number: version.number, commitMessage: version.commitMessage, author: versionAuthor, createdAt: version.createdAt.toISOString() },
    decisions: row.decisions.map((decision) => ({
      id: decision.id,
      reviewer: personOf(people, decision.reviewerId) as Person,
      verdict: decision.verdict,
      version: { id: decision.versionId, number: numbers.get(decision.versionId) ?? 0 },
      comment: decision.commentId ? { id: decision.commentId, body: bodies.get(decision.commentId) ?? "" } : null,
      createdAt: decision.createdAt.toISOString(),
    })),
    gate,
    newerVersions: newer,
  };
}

/** The active review (not closed) of each version of a prompt, for the versions list's badges. */
export async function reviewsByVersion(workspaceId: string, promptId: string): Promise<Record<string, { id: string; state: ReviewStateName; title: string }>> {
  const rows = await db.review.findMany({
    where: { workspaceId, promptId },
    orderBy: { createdAt: "asc" },
    select: { id: true, versionId: true, state: true, title: true },
  });
  const result: Record<string, { id: string; state: ReviewStateName; title: string }> = {};
  // Oldest first, so a version's newest review wins; a closed one shows only when it is the only one.
  for (const row of rows) {
    const current = result[row.versionId];
    if (!current || current.state === "closed" || row.state !== "closed") result[row.versionId] = { id: row.id, state: row.state, title: row.title };
  }
  return result;
}
