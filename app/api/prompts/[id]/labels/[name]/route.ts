import { z } from "zod";
import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { deleteLabel, listVersions, moveLabel } from "@/lib/prompts/service";
import { versionSummaryView } from "@/lib/prompts/views";

type Params = { id: string; name: string };
const body = z.object({ versionId: z.string().min(1, "Choose the version the label points to") });

async function versions(workspaceId: string, promptId: string) {
  return { versions: (await listVersions(workspaceId, promptId)).map(versionSummaryView) };
}

export const PUT = withWorkspace<Params>(async ({ request, member, params }) => {
  const { versionId } = await readJson(request, body);
  await moveLabel(member.workspace.id, params.id, decodeURIComponent(params.name), versionId, member.user.id);
  return versions(member.workspace.id, params.id);
});

export const DELETE = withWorkspace<Params>(async ({ member, params }) => {
  await deleteLabel(member.workspace.id, params.id, decodeURIComponent(params.name));
  return versions(member.workspace.id, params.id);
});
