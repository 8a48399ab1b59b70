import { db } from "../db.ts";
import { env } from "../env.ts";
import { AppError } from "../errors.ts";
import { registerShutdownHook } from "../runtime/shutdown.ts";
import { computeReleaseFigures } from "./figures.ts";
import type { ReleaseConfig, ReleaseMode, ReleaseState } from "./schema.ts";
import { stagesOf } from "./stages.ts";
import { transitionRelease } from "./transitions.ts";
import type { GuardStatus, ReleaseFigures } from "./types.ts";

// The release monitor (docs/guards.md): every ASSAY_RELEASE_MONITOR_MS (2 s) it checks each running release once —
// figures from the stored Calls, then at most one action: a guard breach rolls back, a sample ratio mismatch pauses,
// and a ready stage of an auto-advancing release advances (past a canary's last step: promote). Every web process and
// `assay worker` runs one; a PostgreSQL advisory lock per release lets only one of them act on a release at a time,
// and each transition is conditional on the state and stage the decision was made on (`expect`), so a person acting
// meanwhile always wins.

export type MonitorAction = "rollback" | "pause" | "advance";

export interface CheckResult {
  releaseId: string;
  /** false: another process holds the release's lock, or the release is not running */
  checked: boolean;
  action: MonitorAction | null;
  /** the transition happened (false when someone acted first, or a promotion was refused) */
  changed: boolean;
  figures: ReleaseFigures | null;
}

/** Two-key advisory lock space: a fixed class for the monitor, the release id hashed. */
const LOCK_CLASS = 0x6173_7931; // "asy1"

export async function checkReleaseOnce(releaseId: string, options: { now?: Date } = {}): Promise<CheckResult> {
  const skipped: CheckResult = { releaseId, checked: false, action: null, changed: false, figures: null };
  // The transaction only carries the advisory lock: it is released when the check ends, however it ends (a crashed
  // process's connection closes and frees it too). The transitions run in their own transactions.
  return db.$transaction(
    async (transaction) => {
      const [lock] = await transaction.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${LOCK_CLASS}::int, hashtext(${releaseId})) AS locked`;
      if (!lock?.locked) return skipped;
      const release = await db.release.findUnique({ where: { id: releaseId }, select: { workspaceId: true, state: true, stage: true, mode: true, config: true } });
      if (!release || release.state !== "running") return skipped;
      const figures = await computeReleaseFigures(releaseId, { decisionsOnly: true, ...(options.now ? { now: options.now } : {}) });
      const decision = decide(release.mode as ReleaseMode, release.config as unknown as ReleaseConfig, release.stage, figures);
      if (!decision) return { releaseId, checked: true, action: null, changed: false, figures };
      const expect = { state: release.state as ReleaseState, stage: release.stage };
      try {
        const result = await transitionRelease(release.workspaceId, releaseId, decision.action, {
          actorId: null,
          note: decision.note,
          ...(decision.reason ? { reason: decision.reason } : {}),
          expect,
        });
        return { releaseId, checked: true, action: decision.action, changed: result.changed, figures };
      } catch (error) {
        // Someone acted between our read and our write (the conditional update refused): their action stands.
        if (error instanceof AppError && error.code === "conflict") return { releaseId, checked: true, action: decision.action, changed: false, figures };
        throw error;
      }
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

interface Decision {
  action: MonitorAction;
  note: string;
  reason?: { kind: "guard" | "srm"; message: string; evidence: unknown };
}

export function decide(mode: ReleaseMode, config: ReleaseConfig, stage: number, figures: ReleaseFigures): Decision | null {
  const breaches = figures.guards.filter((status) => status.status === "breach");
  if (breaches.length > 0) {
    const message = breaches.map(guardSentence).join(" ");
    return { action: "rollback", note: "Rolled back by the release monitor.", reason: { kind: "guard", message, evidence: { guards: breaches } } };
  }
  if (figures.srm.status === "mismatch") {
    return { action: "pause", note: "Paused by the release monitor.", reason: { kind: "srm", message: figures.srm.message, evidence: figures.srm } };
  }
  if (config.autoAdvance && figures.stage.ready) {
    const last = stagesOf(mode, config).length - 1;
    // Canary: advancing past the last step promotes. Other modes stay on their last stage until someone decides.
    if (stage < last || mode === "canary") return { action: "advance", note: "Advanced by the release monitor: the stage's hold is met and every guard passes." };
  }
  return null;
}

const GUARD_TITLE: Record<GuardStatus["name"], string> = {
  errorRate: "error rate",
  latency: "latency",
  passRate: "online pass rate",
  feedback: "feedback",
};

function guardSentence(status: GuardStatus): string {
  return `The ${GUARD_TITLE[status.name]} guard on ${status.arm} breached. ${status.message}`;
}

export interface ReleaseMonitor {
  /** one pass over the running releases (what the timer runs) */
  tick(): Promise<CheckResult[]>;
  /** stops the timer and waits for a tick in progress */
  stop(): Promise<void>;
}

export interface MonitorOptions {
  intervalMs?: number;
  log?: (line: string) => void;
  /** only this workspace's releases (tests sharing a database with other files' releases) */
  workspaceId?: string;
}

export function startReleaseMonitor(options: MonitorOptions = {}): ReleaseMonitor {
  const intervalMs = options.intervalMs ?? env.ASSAY_RELEASE_MONITOR_MS;
  const log = options.log ?? ((line: string) => process.stderr.write(`[release-monitor] ${line}\n`));
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<CheckResult[]> | null = null;

  const tick = async (): Promise<CheckResult[]> => {
    const running = await db.release.findMany({ where: { state: "running", ...(options.workspaceId ? { workspaceId: options.workspaceId } : {}) }, select: { id: true }, orderBy: { createdAt: "asc" } });
    const results: CheckResult[] = [];
    for (const { id } of running) {
      if (stopped) break;
      try {
        const result = await checkReleaseOnce(id);
        results.push(result);
        if (result.action && result.changed) log(`release ${id}: ${result.action}`);
      } catch (error) {
        // One release's failure must not stop the others' checks; it is logged and retried next tick.
        log(`release ${id}: check failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return results;
  };
  const schedule = () => {
    if (stopped || intervalMs <= 0) return;
    timer = setTimeout(() => {
      current = tick()
        .catch((error: unknown) => {
          log(`tick failed: ${error instanceof Error ? error.message : String(error)}`);
          return [];
        })
        .finally(() => {
          current = null;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}

// One per process, kept on globalThis so a dev-server reload of this module does not start a second timer.
const processState = globalThis as unknown as { assayReleaseMonitor?: ReleaseMonitor | null };

/** The process's monitor (web process and `assay worker`), unless ASSAY_RELEASE_MONITOR_MS is 0; stopped on a clean stop. */
export function startProcessReleaseMonitor(): ReleaseMonitor | null {
  if (env.ASSAY_RELEASE_MONITOR_MS <= 0) return null;
  // `assay serve-web` runs the monitor in a thread of its own (monitor-thread.ts), off the gateway's event loop.
  if (process.env.ASSAY_RELEASE_MONITOR_THREAD === "1") return null;
  if (!processState.assayReleaseMonitor) {
    processState.assayReleaseMonitor = startReleaseMonitor();
    registerShutdownHook("release-monitor", stopProcessReleaseMonitor);
  }
  return processState.assayReleaseMonitor;
}

export async function stopProcessReleaseMonitor(): Promise<void> {
  const monitor = processState.assayReleaseMonitor;
  processState.assayReleaseMonitor = null;
  await monitor?.stop();
}
