import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { promptVersionInput } from "@/lib/prompts/schema";
import { createVersion, listVersions } from "@/lib/prompts/service";
import { versionSummaryView, versionView } from "@/lib/prompts/views";

type Params = { id: string };

export const GET = withWorkspace<Params>(async ({ member, params }) => ({
  versions: (await listVersions(member.workspace.id, params.id)).map(versionSummaryView),
}), { action: "workspace.read" });

export const POST = withWorkspace<Params>(async ({ request, member, params }) => {
  const version = await createVersion(member.workspace.id, params.id, member.user.id, await readJson(request, promptVersionInput));
  const versions = await listVersions(member.workspace.id, params.id);
  return Response.json({ version: versionView(version), versions: versions.map(versionSummaryView) }, { status: 201 });
}, { action: "prompt.edit" });
