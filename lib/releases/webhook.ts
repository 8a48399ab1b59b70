import { db, type Prisma } from "../db.ts";
import { publicUrl } from "../env.ts";
import { outboundFetch } from "../net/outbound-fetch.ts";
import { registerShutdownHook } from "../runtime/shutdown.ts";
import type { Stage } from "./stages.ts";
import type { ReleaseReason } from "./types.ts";

// A rolled-back release POSTs its config's webhook a JSON summary, through the outbound URL policy's fetch. The
// rollback has already committed when this runs: delivery never delays or fails it. Its outcome (the HTTP status, or
// the error) is written onto the rollback's ReleaseEvent, so the timeline says whether the hook was told.

const TIMEOUT_MS = 10_000;

/**
 * A webhook URL can carry its secret in the path or query (Slack's do): the timeline, the API and the logs show only
 * its origin.
 */
export function redactWebhookUrl(url: string): string {
  if (!URL.canParse(url)) return "(invalid URL)";
  const parsed = new URL(url);
  return parsed.pathname === "/" && parsed.search === "" ? parsed.origin : `${parsed.origin}/…`;
}
const inFlight = new Set<Promise<void>>();

export interface RollbackWebhook {
  workspaceId: string;
  release: {
    id: string;
    promptId: string;
    mode: string;
    stage: number;
    stableLabel: string;
    prompt: { name: string };
    arms: readonly { name: string; versionId: string }[];
  };
  eventId: string;
  url: string;
  reason: ReleaseReason | null;
  stages: readonly Stage[];
  /** defaults to the outbound policy's fetch */
  fetch?: typeof fetch;
}

export function deliverRollbackWebhook(hook: RollbackWebhook): void {
  // A clean stop waits for the webhooks still being sent (bounded by the shutdown cap) instead of dropping them.
  registerShutdownHook("release-webhooks", settleReleaseWebhooks);
  const delivery = deliver(hook).finally(() => inFlight.delete(delivery));
  inFlight.add(delivery);
}

/** Resolves when every webhook started so far has been delivered or has failed (a clean stop, and tests, wait on it). */
export async function settleReleaseWebhooks(): Promise<void> {
  while (inFlight.size > 0) await Promise.all([...inFlight]);
}

async function deliver(hook: RollbackWebhook): Promise<void> {
  let outcome: Record<string, Prisma.InputJsonValue>;
  try {
    const workspace = await db.workspace.findUnique({ where: { id: hook.workspaceId }, select: { slug: true } });
    const versions = await db.promptVersion.findMany({ where: { id: { in: hook.release.arms.map((arm) => arm.versionId) } }, select: { id: true, number: true } });
    const numbers = new Map(versions.map((version) => [version.id, version.number]));
    const summary = {
      event: "release.rolled_back",
      release: {
        id: hook.release.id,
        prompt: hook.release.prompt.name,
        mode: hook.release.mode,
        stableLabel: hook.release.stableLabel,
        stage: hook.stages[hook.release.stage]?.title ?? null,
        arms: hook.release.arms.map((arm) => ({ name: arm.name, version: numbers.get(arm.versionId) ?? null })),
        url: workspace ? `${publicUrl()}/w/${workspace.slug}/releases/${hook.release.id}` : null,
      },
      reason: hook.reason,
      at: new Date().toISOString(),
    };
    const response = await (hook.fetch ?? outboundFetch())(hook.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Assay release webhook" },
      body: JSON.stringify(summary),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    // The body is not ours to read; releasing it frees the connection.
    await response.body?.cancel();
    outcome = { url: redactWebhookUrl(hook.url), status: response.status, ok: response.ok };
  } catch (error) {
    outcome = { url: redactWebhookUrl(hook.url), error: error instanceof Error ? error.message : String(error) };
  }
  try {
    const event = await db.releaseEvent.findUnique({ where: { id: hook.eventId }, select: { data: true } });
    const data = (event?.data ?? {}) as Record<string, Prisma.InputJsonValue>;
    await db.releaseEvent.update({ where: { id: hook.eventId }, data: { data: { ...data, webhook: outcome } } });
  } catch (error) {
    // Nothing to fail: the rollback stands. The log keeps what the timeline could not.
    console.error(`[releases] webhook outcome for release ${hook.release.id} not recorded:`, error, outcome);
  }
}
