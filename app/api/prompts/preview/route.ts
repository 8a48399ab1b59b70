import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { previewDraft } from "@/lib/playground/preview";
import { previewInput } from "@/lib/playground/schema";

// The live preview of an unsaved draft while someone edits (tokens counted, cost and context share looked up): it
// serves editing and costs server time per keystroke, so it needs prompt.edit; viewers read stored versions.
export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, previewInput);
  return previewDraft(member.workspace.id, input.draft, input.variables);
}, { action: "prompt.edit" });
