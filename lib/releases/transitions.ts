import { recordActivity, type ActivityKind } from "../activity/record.ts";
import { assertCan, isRole, labelAction } from "../auth/permissions.ts";
import { db, Prisma } from "../db.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import { notifyGatewayChange } from "../gateway/notify.ts";
import { moveLabel } from "../prompts/labels.ts";
import { loadProtectedLabels, protectedNames } from "../reviews/protected-labels.ts";
import type { ReleaseAction, ReleaseState } from "./schema.ts";
import { configOf } from "./service.ts";
import { stagesOf, type Stage } from "./stages.ts";
import type { ReleaseReason } from "./types.ts";
import { deliverRollbackWebhook } from "./webhook.ts";

// The release state machine. Every action reads the release, decides what it may become, and writes that with a
// conditional update (the state and stage as read), so two people — or a person and the monitor — acting at once
// change it once: the second update finds a row that no longer matches. Each change writes its ReleaseEvent (the
// timeline), an ActivityEvent (the workspace feed) and the gateway NOTIFY in the same transaction.
//
//   draft ──start──> running ──pause──> paused ──resume──> running
//   running ──advance──> running (next stage); past a canary's last stage, advance promotes
//   running | paused ──rollback──> rolled_back      running | paused ──promote──> promoted (stable label moves)
//   running | paused ──stop──> stopped (A/B, shadow, interleaved: end without promoting)

export interface TransitionOptions {
  /** the person acting; null when the monitor acts by itself */
  actorId: string | null;
  /** a note for the timeline (the API's `reason`) */
  note?: string;
  /** why, as Release.reason stores it (guards and SRM put their evidence here) */
  reason?: ReleaseReason;
  /** promote: which arm (A/B); default "candidate" */
  arm?: string;
  /** act only if the release is still in this state and stage (the monitor's guard against acting twice) */
  expect?: { state?: ReleaseState; stage?: number };
}

export interface TransitionResult {
  state: ReleaseState;
  stage: number;
  /** false when `expect` no longer held and nothing changed */
  changed: boolean;
}

type ReleaseRow = Prisma.ReleaseGetPayload<{ include: { arms: true; prompt: { select: { name: true } } } }>;

const EVENT_KIND: Record<ReleaseAction, string> = {
  start: "started",
  pause: "paused",
  resume: "resumed",
  advance: "advanced",
  rollback: "rolled_back",
  promote: "promoted",
  stop: "stopped",
};

const LIVE: readonly ReleaseState[] = ["running", "paused"];

function illegal(release: { state: string; mode: string }, action: ReleaseAction, why?: string): AppError {
  const state = release.state.replace("_", " ");
  return new AppError("conflict", "state", why ?? `A ${state} release cannot ${action === "rollback" ? "roll back" : action}.`, [
    { path: "state", message: `the release is ${state}` },
  ]);
}

interface Plan {
  action: ReleaseAction;
  toState: ReleaseState;
  toStage: number;
  /** the candidate's share of the current ring after the change, in percent (canary), 0 after a rollback */
  share: number | null;
}

/** What an action makes of the release, or a 409 naming why it cannot. */
function planOf(release: ReleaseRow, action: ReleaseAction, stages: readonly Stage[]): Plan {
  const state = release.state as ReleaseState;
  const last = stages.length - 1;
  const shareAt = (stage: number) => (release.mode === "canary" ? (stages[stage]?.shareBps ?? 0) / 100 : null);
  switch (action) {
    case "start":
      if (state !== "draft") throw illegal(release, action, `The release is already ${state.replace("_", " ")}: only a draft starts.`);
      return { action, toState: "running", toStage: 0, share: shareAt(0) };
    case "pause":
      if (state !== "running") throw illegal(release, action);
      return { action, toState: "paused", toStage: release.stage, share: shareAt(release.stage) };
    case "resume":
      if (state !== "paused") throw illegal(release, action);
      return { action, toState: "running", toStage: release.stage, share: shareAt(release.stage) };
    case "advance":
      if (state !== "running") throw illegal(release, action);
      if (release.stage >= last) {
        // Passing a canary's last step is what promoting means; other modes end by a decision, not by a ramp.
        if (release.mode === "canary") return { action: "promote", toState: "promoted", toStage: release.stage, share: 100 };
        throw illegal(release, action, `The release is on its last stage (${stages[last]?.title ?? "everyone"}): promote or stop it.`);
      }
      return { action, toState: "running", toStage: release.stage + 1, share: shareAt(release.stage + 1) };
    case "rollback":
      if (!LIVE.includes(state)) throw illegal(release, action);
      return { action, toState: "rolled_back", toStage: release.stage, share: 0 };
    case "promote":
      if (!LIVE.includes(state)) throw illegal(release, action);
      return { action, toState: "promoted", toStage: release.stage, share: 100 };
    case "stop":
      if (release.mode === "canary") {
        throw new AppError("conflict", "mode", "A canary ends by promoting or rolling back, not by stopping.", [{ path: "mode", message: "canary" }]);
      }
      if (!LIVE.includes(state)) throw illegal(release, action);
      return { action, toState: "stopped", toStage: release.stage, share: null };
  }
}

function reasonOf(plan: Plan, options: TransitionOptions, armName: string | null): ReleaseReason | null {
  if (options.reason) return options.reason;
  const note = options.note?.trim() ?? "";
  switch (plan.toState) {
    case "paused":
      return { kind: "manual", message: note || "Paused." };
    case "rolled_back":
      return { kind: "manual", message: note || "Rolled back." };
    case "promoted":
      return { kind: "promoted", message: note || `Promoted ${armName ?? "the candidate"}.` };
    case "stopped":
      return { kind: "stopped", message: note || "Stopped." };
    default:
      return null;
  }
}

export async function transitionRelease(
  workspaceId: string,
  releaseId: string,
  action: ReleaseAction,
  options: TransitionOptions,
): Promise<TransitionResult> {
  const release = await db.release.findFirst({
    where: { id: releaseId, workspaceId },
    include: { arms: { orderBy: { position: "asc" } }, prompt: { select: { name: true } } },
  });
  if (!release) throw new AppError("not_found", "release", "No such release in this workspace");
  const unchanged: TransitionResult = { state: release.state as ReleaseState, stage: release.stage, changed: false };
  const expect = options.expect;
  if (expect && ((expect.state !== undefined && expect.state !== release.state) || (expect.stage !== undefined && expect.stage !== release.stage))) {
    return unchanged;
  }
  const stages = stagesOf(release.mode, configOf(release));
  const plan = planOf(release, action, stages);
  if (plan.action === "promote") return promote(release, plan, options);
  if (plan.action === "start") await assertStartable(release);

  const reason = reasonOf(plan, options, null);
  const kind = plan.action === "pause" && reason?.kind === "srm" ? "srm_paused" : EVENT_KIND[plan.action];
  const now = new Date();
  let eventId: string;
  try {
    const outcome = await db.$transaction(async (transaction) => {
      const updated = await transaction.release.updateMany({
        where: { id: release.id, state: release.state, stage: release.stage },
        data: {
          state: plan.toState,
          stage: plan.toStage,
          ...(plan.action === "start" ? { startedAt: now, startedById: options.actorId, stageStartedAt: now } : {}),
          ...(plan.action === "advance" ? { stageStartedAt: now } : {}),
          ...(plan.toState === "rolled_back" || plan.toState === "stopped" ? { endedAt: now } : {}),
          reason: reason ? (reason as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
        },
      });
      if (updated.count === 0) return null;
      const event = await writeRecords(transaction, release, plan, kind, options, reason);
      return event;
    });
    if (outcome === null) return changedMeanwhile(release, action, options);
    eventId = outcome;
  } catch (error) {
    // The partial unique index (one running or paused release per prompt) caught a start racing another.
    if (plan.action === "start" && isUniqueViolation(error)) throw await otherLiveRelease(release);
    throw error;
  }
  if (plan.toState === "rolled_back") {
    const webhook = configOf(release).webhook;
    if (webhook) deliverRollbackWebhook({ workspaceId, release, eventId, url: webhook, reason, stages });
  }
  return { state: plan.toState, stage: plan.toStage, changed: true };
}

/** The conditional update found the release changed since it was read: the monitor says nothing changed, a person gets a 409. */
async function changedMeanwhile(release: ReleaseRow, action: ReleaseAction, options: TransitionOptions): Promise<TransitionResult> {
  const now = await db.release.findUniqueOrThrow({ where: { id: release.id }, select: { state: true, stage: true } });
  if (options.expect) return { state: now.state as ReleaseState, stage: now.stage, changed: false };
  throw new AppError(
    "conflict",
    "state",
    `The release changed while you acted (it is now ${now.state.replace("_", " ")} at stage ${now.stage + 1}): nothing was done by this ${action}.`,
    [{ path: "state", message: `the release is ${now.state.replace("_", " ")}` }],
  );
}

async function otherLiveRelease(release: { id: string; promptId: string; prompt: { name: string } }): Promise<AppError> {
  const other = await db.release.findFirst({
    where: { promptId: release.promptId, state: { in: ["running", "paused"] }, id: { not: release.id } },
    select: { id: true, state: true },
  });
  const which = other ? `release ${other.id} is ${other.state}` : "another release is live";
  return new AppError("conflict", "release", `${release.prompt.name} already has a live release (${which}): end it before starting another.`, [
    { path: "release", message: other?.id ?? "another release" },
  ]);
}

async function assertStartable(release: ReleaseRow): Promise<void> {
  const other = await db.release.findFirst({
    where: { promptId: release.promptId, state: { in: ["running", "paused"] }, id: { not: release.id } },
    select: { id: true },
  });
  if (other) throw await otherLiveRelease(release);
  const stable = release.arms.find((arm) => arm.name === "stable");
  const label = await db.promptLabel.findUnique({
    where: { promptId_name: { promptId: release.promptId, name: release.stableLabel } },
    select: { versionId: true, version: { select: { number: true } } },
  });
  if (!stable || !label || label.versionId !== stable.versionId) {
    const now = label ? `it now points at v${label.version.number}` : "it no longer exists";
    throw new AppError("conflict", "stable", `${release.stableLabel} has moved since the release was created (${now}): create a new release from it.`, [
      { path: "stable", message: now },
    ]);
  }
}

async function writeRecords(
  transaction: Prisma.TransactionClient,
  release: ReleaseRow,
  plan: Plan,
  kind: string,
  options: TransitionOptions,
  reason: ReleaseReason | null,
  extra: Record<string, Prisma.InputJsonValue | null> = {},
): Promise<string> {
  const data: Record<string, Prisma.InputJsonValue | null> = {
    fromState: release.state,
    toState: plan.toState,
    fromStage: release.stage,
    toStage: plan.toStage,
    share: plan.share,
    note: options.note?.trim() ?? "",
    reason: reason ? (reason as unknown as Prisma.InputJsonValue) : null,
    ...extra,
  };
  const event = await transaction.releaseEvent.create({
    data: { releaseId: release.id, kind, actorId: options.actorId, data: data as Prisma.InputJsonValue },
    select: { id: true },
  });
  await recordActivity(
    {
      workspaceId: release.workspaceId,
      kind: `release.${kind}` as ActivityKind,
      actorId: options.actorId,
      promptId: release.promptId,
      data: { releaseId: release.id, mode: release.mode, ...data, reason: reason?.message ?? null },
    },
    transaction,
  );
  await notifyGatewayChange(release.workspaceId, "release", transaction);
  return event.id;
}

async function promote(release: ReleaseRow, plan: Plan, options: TransitionOptions): Promise<TransitionResult> {
  const armName = options.arm ?? "candidate";
  const arm = release.arms.find((item) => item.name === armName);
  if (!arm || arm.name === "stable") {
    const names = release.arms.filter((item) => item.name !== "stable").map((item) => item.name);
    throw new AppError("bad_request", "arm", `arm: no candidate arm "${armName}" (this release has ${names.join(", ")})`, [{ path: "arm", message: armName }]);
  }
  // A person promotes as themself, so their role must allow moving the label; the monitor moves it as the person
  // who started the release (their start was the decision), and the review gate applies to both.
  const mover = options.actorId ?? release.startedById ?? release.createdById;
  if (options.actorId) await assertMayMoveLabel(release.workspaceId, options.actorId, release.stableLabel);
  const reason = reasonOf(plan, options, armName);
  const now = new Date();
  try {
    if (!mover) throw new AppError("conflict", "label", "No one started this release, so there is no one to move the label as.");
    const changed = await db.$transaction(async (transaction) => {
      const updated = await transaction.release.updateMany({
        where: { id: release.id, state: release.state, stage: release.stage },
        data: { state: "promoted", endedAt: now, reason: reason as unknown as Prisma.InputJsonValue },
      });
      if (updated.count === 0) return false;
      const before = await transaction.promptLabel.findUnique({
        where: { promptId_name: { promptId: release.promptId, name: release.stableLabel } },
        select: { versionId: true },
      });
      await moveLabel(release.workspaceId, release.promptId, release.stableLabel, arm.versionId, mover, transaction);
      await writeRecords(transaction, release, plan, "promoted", options, reason, {
        arm: armName,
        label: release.stableLabel,
        fromVersionId: before?.versionId ?? null,
        toVersionId: arm.versionId,
        movedById: mover,
      });
      return true;
    });
    if (!changed) return changedMeanwhile(release, "promote", options);
    return { state: "promoted", stage: release.stage, changed: true };
  } catch (error) {
    // The review gate refused: a person hears why (409); the monitor records it and the release stays where it is.
    if (options.actorId !== null || !(error instanceof AppError) || error.code !== "conflict" || error.subject !== "label") throw error;
    await recordPromotionBlocked(release, armName, error.message);
    return { state: release.state as ReleaseState, stage: release.stage, changed: false };
  }
}

async function assertMayMoveLabel(workspaceId: string, userId: string, label: string): Promise<void> {
  const membership = await db.membership.findFirst({ where: { workspaceId, userId }, select: { role: true } });
  if (!membership || !isRole(membership.role)) throw new AppError("forbidden", "member", "Only a member of this workspace can promote its releases.");
  assertCan({ role: membership.role }, labelAction(label, protectedNames(await loadProtectedLabels(workspaceId))));
}

/** One `promotion_blocked` event per reason: the monitor retries every tick, the timeline says it once. */
async function recordPromotionBlocked(release: ReleaseRow, armName: string, message: string): Promise<void> {
  await db.$transaction(async (transaction) => {
    // Serialise with other ticks on this release so two processes do not both write the same event.
    await transaction.$executeRaw`SELECT id FROM "Release" WHERE id = ${release.id} FOR UPDATE`;
    const last = await transaction.releaseEvent.findFirst({ where: { releaseId: release.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    const lastData = (last?.data ?? {}) as { reason?: unknown };
    if (last?.kind === "promotion_blocked" && lastData.reason === message) return;
    const data = { arm: armName, label: release.stableLabel, stage: release.stage, reason: message };
    await transaction.releaseEvent.create({ data: { releaseId: release.id, kind: "promotion_blocked", actorId: null, data } });
    await recordActivity(
      { workspaceId: release.workspaceId, kind: "release.promotion_blocked", actorId: null, promptId: release.promptId, data: { releaseId: release.id, mode: release.mode, ...data } },
      transaction,
    );
  });
}
