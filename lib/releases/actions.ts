import { AppError } from "../errors.ts";
import { readText } from "../http/read-body.ts";
import { RELEASE_ACTIONS, releaseActionInput, type ReleaseAction } from "./schema.ts";
import { getReleaseView } from "./service.ts";
import { transitionRelease } from "./transitions.ts";
import type { ReleaseView } from "./types.ts";

// POST /api/releases/:id/:action as a person makes it: the action's name checked (another is a 404), the optional
// body { reason, arm } read, the transition made as the member, and the release as it now is returned.

export function isReleaseAction(value: string): value is ReleaseAction {
  return (RELEASE_ACTIONS as readonly string[]).includes(value);
}

export async function performReleaseAction(
  member: { user: { id: string }; workspace: { id: string } },
  releaseId: string,
  action: string,
  request: Request,
): Promise<ReleaseView> {
  if (!isReleaseAction(action)) {
    throw new AppError("not_found", "action", `No release action "${action}" (${RELEASE_ACTIONS.join(", ")})`);
  }
  const text = await readText(request);
  let body: unknown = {};
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      // The parser's position in a string the user did not write helps no one; the field-level message does.
      throw new AppError("bad_request", "input", "The request body is not valid JSON.");
    }
  }
  const input = releaseActionInput.parse(body);
  const result = await transitionRelease(member.workspace.id, releaseId, action, {
    actorId: member.user.id,
    note: input.reason,
    ...(input.arm !== undefined ? { arm: input.arm } : {}),
    ...(input.stage !== undefined ? { expect: { stage: input.stage } } : {}),
  });
  if (!result.changed) {
    throw new AppError("conflict", "stage", `The release has moved on (it is ${result.state.replace("_", " ")} at stage ${result.stage + 1}): nothing was done.`, [
      { path: "stage", message: `now ${result.stage}` },
    ]);
  }
  return getReleaseView(member.workspace.id, releaseId);
}
