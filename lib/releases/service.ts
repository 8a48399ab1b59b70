import { randomBytes } from "node:crypto";
import { recordActivity } from "../activity/record.ts";
import { db, type Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { notifyGatewayChange } from "../gateway/notify.ts";
import { assertOutboundUrlAllowed, type OutboundLookup } from "../net/outbound-policy.ts";
import { labelReadiness } from "../reviews/gate.ts";
import { computeReleaseFigures } from "./figures.ts";
import { completeConfig, createReleaseInput, RELEASE_STATES, type CreateReleaseInput, type ReleaseConfig, type ReleaseMode, type ReleaseState } from "./schema.ts";
import { stagesOf } from "./stages.ts";
import type { ReleaseArmView, ReleaseEventView, ReleaseFigures, ReleaseReason, ReleaseSummary, ReleaseView } from "./types.ts";
import { redactWebhookUrl } from "./webhook.ts";
import { armNames, candidateNumbers, validateReleaseShape } from "./validate.ts";

// Releases: created as drafts (this file), moved through their states by transitions.ts, read by the API, the CLI
// and the release page. Everything a create checks is checked before the one transaction that writes the release,
// its arms and its `created` event, so a refused create leaves nothing behind.

function invalid(field: string, message: string): AppError {
  return new AppError("bad_request", field, `${field}: ${message}`, [{ path: field, message }]);
}

export interface CreateReleaseOptions {
  /** how the webhook's host name resolves for the outbound policy; tests inject one */
  lookup?: OutboundLookup;
}

export async function createRelease(
  workspaceId: string,
  userId: string,
  raw: CreateReleaseInput | unknown,
  options: CreateReleaseOptions = {},
): Promise<{ id: string }> {
  const input = createReleaseInput.parse(raw);
  const numbers = candidateNumbers(input);
  const arms = armNames(numbers.length);
  validateReleaseShape(input, arms.length);

  const prompt = await db.prompt.findFirst({ where: { workspaceId, name: input.prompt }, select: { id: true, name: true } });
  if (!prompt) throw new AppError("not_found", "prompt", `No prompt named "${input.prompt}" in this workspace`);
  const label = await db.promptLabel.findUnique({
    where: { promptId_name: { promptId: prompt.id, name: input.stable } },
    select: { versionId: true, version: { select: { number: true } } },
  });
  if (!label) throw invalid("stable", `${prompt.name} has no label "${input.stable}" (the label the release replaces)`);
  const versions = await db.promptVersion.findMany({ where: { promptId: prompt.id, number: { in: numbers } }, select: { id: true, number: true } });
  const byNumber = new Map(versions.map((version) => [version.number, version.id]));
  for (const number of numbers) {
    if (!byNumber.has(number)) throw invalid("candidate", `${prompt.name} has no version ${number}`);
    if (number === label.version.number) {
      throw invalid("candidate", `v${number} is what ${input.stable} already points at: the candidate must be another version`);
    }
  }
  await checkScoring(workspaceId, input.scoring);
  if (input.webhook) await assertOutboundUrlAllowed(input.webhook, { field: "webhook", lookup: options.lookup });

  const { prompt: _prompt, stable, candidate: _candidate, candidates: _candidates, mode, ...settings } = input;
  const config = completeConfig(settings, arms.length);
  const versionIds = [label.versionId, ...numbers.map((number) => byNumber.get(number) as string)];
  const release = await db.$transaction(async (transaction) => {
    const created = await transaction.release.create({
      data: {
        workspaceId,
        promptId: prompt.id,
        stableLabel: stable,
        mode,
        salt: randomBytes(16).toString("hex"),
        config: config as unknown as Prisma.InputJsonValue,
        createdById: userId,
        arms: { create: arms.map((name, position) => ({ name, position, versionId: versionIds[position] as string })) },
      },
      select: { id: true },
    });
    const armData = arms.map((name, position) => ({ name, versionNumber: position === 0 ? label.version.number : numbers[position - 1] }));
    await transaction.releaseEvent.create({
      data: { releaseId: created.id, kind: "created", actorId: userId, data: { mode, stableLabel: stable, arms: armData } },
    });
    await recordActivity(
      {
        workspaceId,
        kind: "release.created",
        actorId: userId,
        promptId: prompt.id,
        data: { releaseId: created.id, mode, stableLabel: stable, fromNumber: label.version.number, toNumber: numbers[0] ?? null },
      },
      transaction,
    );
    // GET /models lists prompts with a release: the gateway's plan learns about this one.
    await notifyGatewayChange(workspaceId, "release", transaction);
    return created;
  });
  return release;
}

async function checkScoring(workspaceId: string, scoring: ReleaseConfig["scoring"]): Promise<void> {
  if (!scoring) return;
  if (scoring.suiteId) {
    const suite = await db.suite.findFirst({ where: { id: scoring.suiteId, workspaceId }, select: { assertions: true } });
    if (!suite) throw invalid("scoring.suiteId", `no suite ${scoring.suiteId} in this workspace`);
    const count = Array.isArray(suite.assertions) ? suite.assertions.length : 0;
    const outside = scoring.assertions?.find((index) => index >= count);
    if (outside !== undefined) throw invalid("scoring.assertions", `the suite has ${count} assertions; there is no assertion ${outside}`);
  }
  if (scoring.judge) {
    const connection = await db.connection.findFirst({ where: { id: scoring.judge.connectionId, workspaceId }, select: { id: true } });
    if (!connection) throw invalid("scoring.judge.connectionId", `no connection ${scoring.judge.connectionId} in this workspace`);
  }
}

// ---------- reads ----------

const armsInclude = { orderBy: { position: "asc" }, select: { name: true, versionId: true, version: { select: { number: true } } } } as const;

function armViews(arms: readonly { name: string; versionId: string; version: { number: number } }[]): ReleaseArmView[] {
  return arms.map((arm) => ({ name: arm.name, versionId: arm.versionId, versionNumber: arm.version.number }));
}

export function configOf(row: { config: Prisma.JsonValue }): ReleaseConfig {
  // Written by createRelease from completeConfig; the shape is this code's own.
  return row.config as unknown as ReleaseConfig;
}

export interface ListReleasesFilter {
  promptId?: string;
  state?: ReleaseState;
}

export async function listReleases(workspaceId: string, filter: ListReleasesFilter = {}): Promise<ReleaseSummary[]> {
  if (filter.state !== undefined && !(RELEASE_STATES as readonly string[]).includes(filter.state)) {
    throw invalid("state", `one of ${RELEASE_STATES.join(", ")}`);
  }
  const rows = await db.release.findMany({
    where: { workspaceId, ...(filter.promptId ? { promptId: filter.promptId } : {}), ...(filter.state ? { state: filter.state } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 500,
    include: { prompt: { select: { name: true } }, arms: armsInclude },
  });
  return rows.map((row) => {
    const stages = stagesOf(row.mode, configOf(row));
    return {
      id: row.id,
      promptId: row.promptId,
      promptName: row.prompt.name,
      mode: row.mode,
      state: row.state,
      stableLabel: row.stableLabel,
      arms: armViews(row.arms),
      stageTitle: stages[row.stage]?.title ?? stages.at(-1)?.title ?? "",
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  });
}

// Every open release page polls its view every few seconds, and the figures cost up to a second on a big release:
// watchers of one release share one computation in flight, and a result is reused for FIGURES_REUSE_MS unless the
// release itself changed (its updatedAt), so ten watchers cost what one does.
const FIGURES_REUSE_MS = 1_000;
const figuresInFlight = new Map<string, { key: string; startedAt: number; figures: Promise<ReleaseFigures> }>();

function sharedFigures(releaseId: string, updatedAt: Date): Promise<ReleaseFigures> {
  const key = updatedAt.toISOString();
  const now = performance.now();
  const cached = figuresInFlight.get(releaseId);
  if (cached && cached.key === key && now - cached.startedAt < FIGURES_REUSE_MS) return cached.figures;
  const figures = computeReleaseFigures(releaseId);
  figuresInFlight.set(releaseId, { key, startedAt: now, figures });
  // A failed computation is not reused: the next request tries again (the error still reaches this request).
  figures.catch(() => {
    if (figuresInFlight.get(releaseId)?.figures === figures) figuresInFlight.delete(releaseId);
  });
  if (figuresInFlight.size > 1_000) figuresInFlight.delete(figuresInFlight.keys().next().value as string);
  return figures;
}

export async function getReleaseView(workspaceId: string, id: string): Promise<ReleaseView> {
  const row = await db.release.findFirst({
    where: { id, workspaceId },
    include: {
      prompt: { select: { name: true } },
      arms: armsInclude,
      events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: 1000 },
    },
  });
  if (!row) throw new AppError("not_found", "release", "No such release in this workspace");
  const config = configOf(row);
  const actorIds = [...new Set(row.events.map((event) => event.actorId).filter((value): value is string => value !== null))];
  const users = await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } });
  const names = new Map(users.map((user) => [user.id, user.name]));
  const events: ReleaseEventView[] = row.events.map((event) => ({
    id: event.id,
    kind: event.kind,
    actor: event.actorId ? { id: event.actorId, name: names.get(event.actorId) ?? "A former member" } : null,
    data: typeof event.data === "object" && event.data !== null && !Array.isArray(event.data) ? (event.data as Record<string, unknown>) : {},
    createdAt: event.createdAt.toISOString(),
  }));
  const arms = armViews(row.arms);
  const [figures, promotion] = await Promise.all([sharedFigures(row.id, row.updatedAt), promotionOf(workspaceId, row, arms)]);
  return {
    id: row.id,
    promptId: row.promptId,
    promptName: row.prompt.name,
    mode: row.mode as ReleaseMode,
    state: row.state as ReleaseState,
    stableLabel: row.stableLabel,
    config: { ...config, webhook: config.webhook ? redactWebhookUrl(config.webhook) : null },
    stages: stagesOf(row.mode, config),
    stage: row.stage,
    stageStartedAt: row.stageStartedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
    reason: (row.reason as ReleaseReason | null) ?? null,
    arms,
    events,
    figures,
    promotion,
  };
}

async function promotionOf(
  workspaceId: string,
  row: { promptId: string; stableLabel: string; state: string },
  arms: readonly ReleaseArmView[],
): Promise<ReleaseView["promotion"]> {
  const candidate = arms.find((arm) => arm.name === "candidate");
  if (!candidate) return { label: row.stableLabel, ready: false, reason: "The release has no candidate." };
  const readiness = await labelReadiness(workspaceId, row.promptId, row.stableLabel, candidate.versionId);
  if (row.state !== "running" && row.state !== "paused") {
    return { label: row.stableLabel, ready: false, reason: `The release is ${row.state.replace("_", " ")}: only a running or paused release is promoted.` };
  }
  return { label: row.stableLabel, ready: readiness.ready, reason: readiness.reason };
}
