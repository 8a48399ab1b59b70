import { db } from "../db.ts";
import { isUniqueViolation } from "../errors.ts";
import { createRun } from "../runs/create-run.ts";
import { DEMO_SUITE, DEMO_TRIAGE_PROMPT } from "./demo-content.ts";
import { LOCAL_CONNECTION_NAME, TRIAGE_MODEL } from "./seed.ts";

// The demo's finished run: support-triage v1 (zero-shot) against v2 (few-shot with counterexamples) on the demo
// suite, on the Local models connection. It is an ordinary run, started once the model server answers, and the web
// process's worker runs it in the background like any other: its outputs and figures come from real calls to the
// local model, not from numbers written into the database. Started once per install (remembered in Meta).

export const DEMO_RUN_META = "demo-run";
export const DEMO_RUN_NAME = "Demo: support-triage zero-shot vs few-shot";
const STARTING = "starting";

export interface DemoRun {
  workspaceId: string;
  runId: string;
}

/** Where the demo lives, or null when there is no demo workspace (an install seeded before it, or removed). */
async function demoTargets(workspaceId: string) {
  const [suite, prompt, connection] = await Promise.all([
    db.suite.findFirst({ where: { workspaceId, name: DEMO_SUITE.name }, select: { id: true } }),
    db.prompt.findFirst({
      where: { workspaceId, name: DEMO_TRIAGE_PROMPT },
      select: { versions: { where: { number: { in: [1, 2] } }, orderBy: { number: "asc" }, select: { id: true, number: true } } },
    }),
    db.connection.findFirst({ where: { workspaceId, name: LOCAL_CONNECTION_NAME }, select: { id: true } }),
  ]);
  const [zeroShot, fewShot] = prompt?.versions ?? [];
  if (!suite || !connection || !zeroShot || !fewShot) return null;
  return { suiteId: suite.id, connectionId: connection.id, zeroShot: zeroShot.id, fewShot: fewShot.id };
}

/**
 * Starts the demo run when it was never started: returns it, or null when it exists already or the demo workspace
 * lacks what it needs. A failure to create the run forgets the attempt, so the next start tries again.
 */
export async function startDemoRun(): Promise<DemoRun | null> {
  const seeded = await db.meta.findUnique({ where: { key: "demo-seeded" } });
  if (!seeded) return null;
  try {
    // Claimed first: two processes starting at once make one run between them.
    await db.meta.create({ data: { key: DEMO_RUN_META, value: STARTING } });
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
  try {
    const workspaceId = seeded.value;
    const targets = await demoTargets(workspaceId);
    if (!targets) {
      await db.meta.update({ where: { key: DEMO_RUN_META }, data: { value: "skipped: the demo prompt, suite or connection is gone" } });
      return null;
    }
    const variant = (versionId: string, label: string) => ({ label, versionId, connectionId: targets.connectionId, model: TRIAGE_MODEL });
    const { id } = await createRun(
      workspaceId,
      null,
      {
        suiteId: targets.suiteId,
        name: DEMO_RUN_NAME,
        variants: [variant(targets.zeroShot, "v1 zero-shot"), variant(targets.fewShot, "v2 few-shot")],
        // the connection's own limit (4) is what the model server is sized for
        concurrency: 4,
      },
      { source: "web" },
    );
    await db.meta.update({ where: { key: DEMO_RUN_META }, data: { value: id } });
    return { workspaceId, runId: id };
  } catch (error) {
    await db.meta.delete({ where: { key: DEMO_RUN_META } });
    throw error;
  }
}

/** The demo run and its two variants (zero-shot first), for the Start here panel's links; null when there is none. */
export async function findDemoRun(workspaceId: string): Promise<{ runId: string; variantIds: [string, string] } | null> {
  const meta = await db.meta.findUnique({ where: { key: DEMO_RUN_META } });
  if (!meta || meta.value === STARTING) return null;
  const run = await db.run.findFirst({
    where: { id: meta.value, workspaceId },
    select: { id: true, variants: { orderBy: { position: "asc" }, select: { id: true } } },
  });
  const [first, second] = run?.variants ?? [];
  return run && first && second ? { runId: run.id, variantIds: [first.id, second.id] } : null;
}

/** Polls the model server's /health until it answers 200 (it loads no model to do so) or the time is up. */
export async function waitForModelServer(baseUrl: string, timeoutMs: number): Promise<void> {
  const healthUrl = new URL("/health", baseUrl).toString();
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(healthUrl);
      if (response.ok) return;
      lastProblem = `status ${response.status}`;
    } catch (error) {
      // not listening yet: polled again below, and the last problem is in the timeout's message
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the local model server (${healthUrl}) did not answer within ${timeoutMs / 1000} s (${lastProblem})`);
}
