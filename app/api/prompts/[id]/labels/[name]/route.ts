import { z } from "zod";
import { assertCan, labelAction } from "@/lib/auth/permissions";
import { decodedSegment } from "@/lib/http/path-segment";
import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { deleteLabel, listVersions, moveLabel } from "@/lib/prompts/service";
import { versionSummaryView } from "@/lib/prompts/views";

type Params = { id: string; name: string };
const body = z.object({ versionId: z.string().min(1, "Choose the version the label points to") });

async function versions(workspaceId: string, promptId: string) {
  return { versions: (await listVersions(workspaceId, promptId)).map(versionSummaryView) };
}

// Editors move labels; a protected label (production) also needs label.moveProtected, checked before the body is read.
export const PUT = withWorkspace<Params>(async ({ request, member, params }) => {
  const name = decodedSegment(params.name);
  assertCan(member, labelAction(name));
  const { versionId } = await readJson(request, body);
  await moveLabel(member.workspace.id, params.id, name, versionId, member.user.id);
  return versions(member.workspace.id, params.id);
}, { action: "label.move" });

export const DELETE = withWorkspace<Params>(async ({ member, params }) => {
  const name = decodedSegment(params.name);
  assertCan(member, labelAction(name));
  await deleteLabel(member.workspace.id, params.id, name);
  return versions(member.workspace.id, params.id);
}, { action: "label.move" });
