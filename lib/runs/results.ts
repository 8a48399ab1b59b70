import type { ListResultsOptions, ResultPage } from "./types.ts";

/** Rows of one case (and repeat) with one cell per variant, filtered and paged. */
export async function listResults(workspaceId: string, runId: string, options: ListResultsOptions = {}): Promise<ResultPage> {
  void workspaceId;
  void runId;
  void options;
  throw new Error("listResults: being implemented (issue #4)");
}
