import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { updatePromptInput } from "@/lib/prompts/schema";
import { getPrompt, listVersions, updatePrompt } from "@/lib/prompts/service";
import { promptSummaryView, versionSummaryView, versionView } from "@/lib/prompts/views";

type Params = { id: string };

export const GET = withWorkspace<Params>(async ({ member, params }) => {
  const prompt = await getPrompt(member.workspace.id, params.id);
  const versions = await listVersions(member.workspace.id, prompt.id);
  return { prompt: promptSummaryView(prompt), latest: versionView(prompt.latest), versions: versions.map(versionSummaryView) };
}, { action: "workspace.read" });

export const PATCH = withWorkspace<Params>(async ({ request, member, params }) => {
  const prompt = await updatePrompt(member.workspace.id, params.id, await readJson(request, updatePromptInput));
  return { prompt: promptSummaryView(prompt) };
}, { action: "prompt.edit" });
