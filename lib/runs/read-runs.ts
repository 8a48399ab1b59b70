import type { RunDetail, RunSummaryRecord } from "./types.ts";

/** A run with its configuration, variants and per-variant summaries. */
export async function getRun(workspaceId: string, runId: string): Promise<RunDetail> {
  void workspaceId;
  void runId;
  throw new Error("getRun: being implemented (issue #4)");
}

/** The workspace's runs, newest first. */
export async function listRuns(workspaceId: string, options: { suiteId?: string; limit?: number } = {}): Promise<RunSummaryRecord[]> {
  void workspaceId;
  void options;
  throw new Error("listRuns: being implemented (issue #4)");
}
