import type { CreateRunInput } from "./types.ts";

/**
 * Validates the input (zod, then every variant's prompt against every selected case's variables, assertions, targets),
 * stores the run with its full configuration and variants (drafts and inline prompts snapshotted into Variant.prompt),
 * and enqueues its cells as chunk jobs. Nothing is stored when anything is invalid.
 */
export async function createRun(workspaceId: string, userId: string | null, input: CreateRunInput): Promise<{ id: string }> {
  void workspaceId;
  void userId;
  void input;
  throw new Error("createRun: being implemented (issue #4)");
}
