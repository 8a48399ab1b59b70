import type { RunProgress } from "./types.ts";

/** Stops a run: queued chunks are cancelled, workers abort calls in flight; stored results stay. */
export async function cancelRun(workspaceId: string, runId: string): Promise<RunProgress> {
  void workspaceId;
  void runId;
  throw new Error("cancelRun: being implemented (issue #4)");
}

/** Runs only the cells that have no stored result yet (after a crash, a cancel, or a failure). */
export async function resumeRun(workspaceId: string, runId: string): Promise<RunProgress> {
  void workspaceId;
  void runId;
  throw new Error("resumeRun: being implemented (issue #4)");
}
