import type { RunProgress } from "./types.ts";

export async function runProgress(runId: string): Promise<RunProgress> {
  void runId;
  throw new Error("runProgress: being implemented (issue #4)");
}
