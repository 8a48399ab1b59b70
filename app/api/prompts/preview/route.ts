import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { previewDraft } from "@/lib/playground/preview";
import { previewInput } from "@/lib/playground/schema";

export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, previewInput);
  return previewDraft(member.workspace.id, input.draft, input.variables);
}, { write: false });
