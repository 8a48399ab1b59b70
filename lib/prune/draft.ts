import { AppError } from "../errors.ts";
import { createVersion, getVersionById } from "../prompts/service.ts";
import type { PromptVersionRecord } from "../prompts/service.ts";
import { prunedDraftInput } from "./schema.ts";
import type { PrunedDraftInput } from "./schema.ts";

// "Create draft": the pruned prompt saved as a new version of the same prompt (versions are immutable, so the
// original stays as it was); labels do not move — the team decides after comparing.

export async function createPrunedVersion(workspaceId: string, userId: string, input: PrunedDraftInput): Promise<PromptVersionRecord> {
  const parsed = prunedDraftInput.parse(input);
  const version = await getVersionById(workspaceId, parsed.versionId);
  const outOfRange = (indexes: number[], length: number, path: string) => {
    const bad = indexes.find((index) => index >= length);
    if (bad !== undefined) {
      throw new AppError("bad_request", "prune", `${path}: version ${version.number} has no item ${bad + 1} (it has ${length})`, [{ path, message: "index out of range" }]);
    }
  };
  outOfRange(parsed.keepExamples, version.examples.length, "keepExamples");
  outOfRange(parsed.keepCounterexamples, version.counterexamples.length, "keepCounterexamples");
  const keptExamples = new Set(parsed.keepExamples);
  const keptCounterexamples = new Set(parsed.keepCounterexamples);
  const removedExamples = version.examples.length - keptExamples.size;
  const removedCounterexamples = version.counterexamples.length - keptCounterexamples.size;
  const commitMessage =
    parsed.commitMessage ||
    `Pruned from v${version.number}: ${removedExamples} example${removedExamples === 1 ? "" : "s"} and ${removedCounterexamples} counterexample${removedCounterexamples === 1 ? "" : "s"} removed`;
  return createVersion(workspaceId, version.promptId, userId, {
    messages: version.messages,
    examples: version.examples.filter((_, index) => keptExamples.has(index)),
    counterexamples: version.counterexamples.filter((_, index) => keptCounterexamples.has(index)),
    testInputs: version.testInputs,
    exampleMode: version.exampleMode,
    connectionId: version.connectionId,
    model: version.model,
    params: version.params,
    commitMessage,
  });
}
