import { z } from "zod";
import { assertCan, labelAction } from "@/lib/auth/permissions";
import { decodedSegment } from "@/lib/http/path-segment";
import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { deleteLabel, listVersions, moveLabel } from "@/lib/prompts/service";
import { versionSummaryView } from "@/lib/prompts/views";
import { loadProtectedLabels, protectedNames } from "@/lib/reviews/protected-labels";

type Params = { id: string; name: string };
const body = z.object({ versionId: z.string().min(1, "Choose the version the label points to") });

async function versions(workspaceId: string, promptId: string) {
  return { versions: (await listVersions(workspaceId, promptId)).map(versionSummaryView) };
}

async function assertMayMove(member: Parameters<typeof assertCan>[0] & { workspace: { id: string } }, name: string) {
  assertCan(member, labelAction(name, protectedNames(await loadProtectedLabels(member.workspace.id))));
}

// Editors move labels; a protected one (the workspace's list, production by default) also needs label.moveProtected,
// checked before the body is read, and moveLabel refuses it with 409 until the version has its approvals.
export const PUT = withWorkspace<Params>(async ({ request, member, params }) => {
  const name = decodedSegment(params.name);
  await assertMayMove(member, name);
  const { versionId } = await readJson(request, body);
  await moveLabel(member.workspace.id, params.id, name, versionId, member.user.id);
  return versions(member.workspace.id, params.id);
}, { action: "label.move" });

export const DELETE = withWorkspace<Params>(async ({ member, params }) => {
  const name = decodedSegment(params.name);
  await assertMayMove(member, name);
  await deleteLabel(member.workspace.id, params.id, name, member.user.id);
  return versions(member.workspace.id, params.id);
}, { action: "label.move" });
