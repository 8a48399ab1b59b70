import { recordActivity } from "../activity/record.ts";
import { assertCan, can, isRole, type Role } from "../auth/permissions.ts";
import { loadVariants } from "../compare/load.ts";
import { db, type Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { notify } from "../inbox/notify.ts";
import { createDecisionComment } from "./decision-comment.ts";
import { getReview, latestVerdicts, type ReviewDetail, type ReviewStateName } from "./read.ts";
import { decisionInput, evidenceInput, requestReviewInput, rerequestInput, type DecisionInput, type RequestReviewInput, type RerequestInput } from "./schema.ts";

// Sign-off before release. A review asks named reviewers to approve one version of a prompt:
//   open → approved | changes_requested → (author saves a new version and re-requests: the review moves to it) → open
//   closed: "withdrawn" by its author, or "superseded" when a newer version of the prompt gets its own review.
// Decisions are kept per version: an approval of v2 stays in the history but says nothing about v3 (lib/reviews/gate.ts
// counts them for label moves). Every change writes its activity row and its inbox lines in the same transaction.

export interface ReviewActor {
  user: { id: string; name: string };
  workspace: { id: string };
  role: Role;
}

type Transaction = Prisma.TransactionClient;

const ACTIVE: ReviewStateName[] = ["open", "approved", "changes_requested"];

function reviewPath(reviewId: string): string {
  return `/reviews/${reviewId}`;
}

async function findVersion(workspaceId: string, versionId: string, path: string) {
  const version = await db.promptVersion.findFirst({
    where: { id: versionId, prompt: { workspaceId } },
    select: { id: true, number: true, authorId: true, promptId: true, prompt: { select: { name: true } } },
  });
  if (!version) throw new AppError("bad_request", "review", `${path}: no such prompt version in this workspace`, [{ path, message: "Unknown version" }]);
  return version;
}

/** The evidence as stored: a run id, or a comparison key (variant ids, comma-separated, baseline first). */
async function checkEvidence(workspaceId: string, evidence: ReturnType<typeof evidenceInput.parse>): Promise<{ type: "run" | "comparison"; id: string }> {
  if (evidence.type === "run") {
    const run = await db.run.findFirst({ where: { id: evidence.id, workspaceId }, select: { id: true } });
    if (!run) throw new AppError("bad_request", "review", `evidence.id: no run ${evidence.id} in this workspace`, [{ path: "evidence.id", message: "Unknown run" }]);
    return { type: "run", id: run.id };
  }
  try {
    await loadVariants(workspaceId, evidence.id);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      throw new AppError("bad_request", "review", `evidence.id: ${error.message}`, [{ path: "evidence.id", message: error.message }]);
    }
    throw error;
  }
  return { type: "comparison", id: evidence.id.join(",") };
}

/** Reviewers must be members who may review, and not the version's author nor the requester. */
async function checkReviewers(workspaceId: string, reviewerIds: readonly string[], excluded: { authorId: string | null; requesterId: string }): Promise<string[]> {
  const wanted = [...new Set(reviewerIds)];
  const memberships = await db.membership.findMany({
    where: { workspaceId, userId: { in: wanted } },
    select: { userId: true, role: true, user: { select: { name: true } } },
  });
  const byId = new Map(memberships.map((row) => [row.userId, row]));
  for (const id of wanted) {
    const row = byId.get(id);
    const problem = !row
      ? `${id} is not a member of this workspace`
      : id === excluded.requesterId
        ? "you cannot review your own request"
        : id === excluded.authorId
          ? `${row.user.name} wrote this version; their approval would not count`
          : !isRole(row.role) || !can(row.role, "review.write")
            ? `${row.user.name} is a ${row.role} and cannot review (editors and above can)`
            : null;
    if (problem) throw new AppError("bad_request", "review", `reviewerIds: ${problem}`, [{ path: "reviewerIds", message: problem }]);
  }
  return wanted;
}

/** Closes the prompt's other active reviews on versions older than `number` (a newer version is now under review). */
async function supersedeOlder(transaction: Transaction, workspaceId: string, promptId: string, number: number, keepId: string, actorId: string) {
  const older = await transaction.review.findMany({
    where: { workspaceId, promptId, id: { not: keepId }, state: { in: ACTIVE } },
    select: { id: true, versionId: true },
  });
  if (older.length === 0) return;
  const versions = await transaction.promptVersion.findMany({ where: { id: { in: older.map((row) => row.versionId) } }, select: { id: true, number: true } });
  const numbers = new Map(versions.map((version) => [version.id, version.number]));
  for (const row of older) {
    const olderNumber = numbers.get(row.versionId) ?? 0;
    if (olderNumber >= number) continue;
    await transaction.review.update({ where: { id: row.id }, data: { state: "closed", closedReason: "superseded" } });
    await recordActivity(
      { workspaceId, kind: "review.closed", actorId, promptId, data: { reviewId: row.id, reason: "superseded", versionId: row.versionId, versionNumber: olderNumber, byReviewId: keepId } },
      transaction,
    );
  }
}

async function assertNoActiveReview(transaction: Transaction, workspaceId: string, versionId: string, number: number, exceptId?: string) {
  const existing = await transaction.review.findFirst({
    where: { workspaceId, versionId, state: { in: ACTIVE }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (existing) {
    throw new AppError("conflict", "review", `v${number} already has an active review (${existing.id}): add reviewers there or withdraw it first`, [
      { path: "versionId", message: "already under review" },
    ]);
  }
}

function loadReview(workspaceId: string, reviewId: string) {
  return db.review
    .findFirst({
      where: { id: reviewId, workspaceId },
      select: { id: true, promptId: true, versionId: true, authorId: true, title: true, state: true, closedReason: true, reviewers: { select: { userId: true } } },
    })
    .then((row) => {
      if (!row) throw new AppError("not_found", "review", `No review ${reviewId} in this workspace`);
      return row;
    });
}

function assertActive(review: { state: ReviewStateName; closedReason: string | null }) {
  if (review.state === "closed") {
    throw new AppError("conflict", "review", `This review is closed (${review.closedReason ?? "closed"}); request a new review instead`);
  }
}

/** Asks reviewers to sign off a version. */
export async function requestReview(actor: ReviewActor, raw: RequestReviewInput): Promise<ReviewDetail> {
  assertCan(actor, "review.write");
  const input = requestReviewInput.parse(raw);
  const workspaceId = actor.workspace.id;
  const version = await findVersion(workspaceId, input.versionId, "versionId");
  const reviewerIds = await checkReviewers(workspaceId, input.reviewerIds, { authorId: version.authorId, requesterId: actor.user.id });
  const evidence = input.evidence ? await checkEvidence(workspaceId, evidenceInput.parse(input.evidence)) : null;
  const title = input.title || `${version.prompt.name} v${version.number}`;
  const reviewId = await db.$transaction(async (transaction) => {
    await assertNoActiveReview(transaction, workspaceId, version.id, version.number);
    const created = await transaction.review.create({
      data: {
        workspaceId,
        promptId: version.promptId,
        versionId: version.id,
        authorId: actor.user.id,
        title,
        description: input.description,
        evidenceType: evidence?.type ?? null,
        evidenceId: evidence?.id ?? null,
        reviewers: { create: reviewerIds.map((userId) => ({ userId })) },
      },
      select: { id: true },
    });
    await supersedeOlder(transaction, workspaceId, version.promptId, version.number, created.id, actor.user.id);
    await recordActivity(
      {
        workspaceId,
        kind: "review.requested",
        actorId: actor.user.id,
        promptId: version.promptId,
        data: { reviewId: created.id, versionId: version.id, versionNumber: version.number, reviewerIds, evidenceType: evidence?.type ?? null, evidenceId: evidence?.id ?? null },
      },
      transaction,
    );
    await notify(
      {
        workspaceId,
        userIds: reviewerIds,
        kind: "review_requested",
        actorId: actor.user.id,
        summary: `${actor.user.name} requested your review of ${version.prompt.name} v${version.number}`,
        path: reviewPath(created.id),
        reviewId: created.id,
      },
      transaction,
    );
    return created.id;
  });
  return getReview(workspaceId, reviewId);
}

/** Approve or request changes. The version's author and the review's author may not decide. */
export async function decideReview(actor: ReviewActor, reviewId: string, raw: DecisionInput): Promise<ReviewDetail> {
  assertCan(actor, "review.write");
  const input = decisionInput.parse(raw);
  const workspaceId = actor.workspace.id;
  const review = await loadReview(workspaceId, reviewId);
  assertActive(review);
  const version = await findVersion(workspaceId, review.versionId, "versionId");
  if (actor.user.id === version.authorId) {
    throw new AppError("forbidden", "review", `You wrote ${version.prompt.name} v${version.number}; someone else has to review it (the author's own approval never counts).`);
  }
  if (actor.user.id === review.authorId) {
    throw new AppError("forbidden", "review", "You requested this review; one of its reviewers has to decide it.");
  }
  await db.$transaction(async (transaction) => {
    // Anyone who may review can, as on a pull request; they join the reviewers so the review page lists them.
    if (!review.reviewers.some((reviewer) => reviewer.userId === actor.user.id)) {
      await transaction.reviewReviewer.create({ data: { reviewId, userId: actor.user.id } });
    }
    const body = input.comment.trim();
    const commentId = body ? await createDecisionComment(transaction, actor, { versionId: version.id, reviewId, body }) : null;
    await transaction.reviewDecision.create({ data: { reviewId, versionId: version.id, reviewerId: actor.user.id, verdict: input.verdict, commentId } });
    const decisions = await transaction.reviewDecision.findMany({ where: { reviewId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { reviewerId: true, verdict: true, versionId: true } });
    const verdicts = [...latestVerdicts(decisions, version.id).values()];
    const state: ReviewStateName = verdicts.includes("changes_requested") ? "changes_requested" : verdicts.includes("approved") ? "approved" : "open";
    await transaction.review.update({ where: { id: reviewId }, data: { state } });
    await recordActivity(
      {
        workspaceId,
        kind: input.verdict === "approved" ? "review.approved" : "review.changes_requested",
        actorId: actor.user.id,
        promptId: version.promptId,
        data: { reviewId, versionId: version.id, versionNumber: version.number, commentId, state },
      },
      transaction,
    );
    const verb = input.verdict === "approved" ? "approved" : "requested changes to";
    await notify(
      {
        workspaceId,
        userIds: review.authorId ? [review.authorId] : [],
        kind: "review_decided",
        actorId: actor.user.id,
        summary: `${actor.user.name} ${verb} ${version.prompt.name} v${version.number}`,
        path: reviewPath(reviewId),
        reviewId,
        commentId,
      },
      transaction,
    );
  });
  return getReview(workspaceId, reviewId);
}

function assertReviewAuthor(actor: ReviewActor, review: { authorId: string | null }, doing: string) {
  if (review.authorId !== actor.user.id) throw new AppError("forbidden", "review", `Only the person who requested this review can ${doing} it.`);
}

/** After changes: the review moves to a newer version of the same prompt, opens again, and the reviewers are asked again. */
export async function rerequestReview(actor: ReviewActor, reviewId: string, raw: RerequestInput): Promise<ReviewDetail> {
  assertCan(actor, "review.write");
  const { versionId, evidence: newEvidence } = rerequestInput.parse(raw);
  const workspaceId = actor.workspace.id;
  const review = await loadReview(workspaceId, reviewId);
  assertReviewAuthor(actor, review, "re-request");
  assertActive(review);
  const [from, to] = await Promise.all([findVersion(workspaceId, review.versionId, "versionId"), findVersion(workspaceId, versionId, "versionId")]);
  if (to.promptId !== from.promptId) {
    throw new AppError("bad_request", "review", `versionId: v${to.number} is a version of ${to.prompt.name}, not of ${from.prompt.name}`, [{ path: "versionId", message: "another prompt's version" }]);
  }
  if (to.number <= from.number) {
    const message = `choose a version newer than v${from.number}: save the changes as a new version, then re-request`;
    throw new AppError("bad_request", "review", `versionId: ${message}`, [{ path: "versionId", message }]);
  }
  const reviewerIds = review.reviewers.map((reviewer) => reviewer.userId).filter((id) => id !== to.authorId);
  const evidence = newEvidence ? await checkEvidence(workspaceId, evidenceInput.parse(newEvidence)) : newEvidence;
  // A title that was the default ("prompt v2") follows the version; one the author wrote stays.
  const title = review.title === `${from.prompt.name} v${from.number}` ? `${to.prompt.name} v${to.number}` : review.title;
  await db.$transaction(async (transaction) => {
    await assertNoActiveReview(transaction, workspaceId, to.id, to.number, reviewId);
    await transaction.review.update({
      where: { id: reviewId },
      data: {
        versionId: to.id,
        state: "open",
        title,
        // undefined keeps the evidence, null removes it, a value replaces it
        ...(evidence === undefined ? {} : { evidenceType: evidence?.type ?? null, evidenceId: evidence?.id ?? null }),
      },
    });
    await supersedeOlder(transaction, workspaceId, to.promptId, to.number, reviewId, actor.user.id);
    await recordActivity(
      {
        workspaceId,
        kind: "review.rerequested",
        actorId: actor.user.id,
        promptId: to.promptId,
        data: { reviewId, fromVersionId: from.id, fromNumber: from.number, toVersionId: to.id, toNumber: to.number, reviewerIds },
      },
      transaction,
    );
    await notify(
      {
        workspaceId,
        userIds: reviewerIds,
        kind: "review_requested",
        actorId: actor.user.id,
        summary: `${actor.user.name} re-requested your review: ${to.prompt.name} v${to.number} (was v${from.number})`,
        path: reviewPath(reviewId),
        reviewId,
      },
      transaction,
    );
  });
  return getReview(workspaceId, reviewId);
}

/** The author takes the request back; decisions in a withdrawn review no longer count for label moves. */
export async function withdrawReview(actor: ReviewActor, reviewId: string): Promise<ReviewDetail> {
  assertCan(actor, "review.write");
  const workspaceId = actor.workspace.id;
  const review = await loadReview(workspaceId, reviewId);
  assertReviewAuthor(actor, review, "withdraw");
  assertActive(review);
  const version = await findVersion(workspaceId, review.versionId, "versionId");
  await db.$transaction(async (transaction) => {
    await transaction.review.update({ where: { id: reviewId }, data: { state: "closed", closedReason: "withdrawn" } });
    await recordActivity(
      { workspaceId, kind: "review.withdrawn", actorId: actor.user.id, promptId: review.promptId, data: { reviewId, versionId: version.id, versionNumber: version.number } },
      transaction,
    );
  });
  return getReview(workspaceId, reviewId);
}
