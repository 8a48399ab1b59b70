import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { createPromptInput } from "@/lib/prompts/schema";
import { createPrompt, listPrompts } from "@/lib/prompts/service";
import { promptSummaryView, versionView } from "@/lib/prompts/views";

export const GET = withWorkspace(async ({ member }) => ({
  prompts: (await listPrompts(member.workspace.id)).map(promptSummaryView),
}), { action: "workspace.read" });

export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, createPromptInput);
  const prompt = await createPrompt(member.workspace.id, member.user.id, input);
  return Response.json({ prompt: { ...promptSummaryView(prompt), latest: versionView(prompt.latest) } }, { status: 201 });
}, { action: "prompt.edit" });
