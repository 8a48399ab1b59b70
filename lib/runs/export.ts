import type { ExportFormat } from "./types.ts";

/** The run's results as text chunks, streamed a page at a time. */
export async function* exportResults(workspaceId: string, runId: string, format: ExportFormat): AsyncGenerator<string> {
  void workspaceId;
  void runId;
  void format;
  yield* [];
  throw new Error("exportResults: being implemented (issue #4)");
}
