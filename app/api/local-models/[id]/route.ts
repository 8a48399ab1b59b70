import { withWorkspace } from "@/lib/http/with-workspace";
import { removeLocalModel } from "@/lib/local-models/catalog";

export const DELETE = withWorkspace<{ id: string }>(async ({ member, params }) => {
  await removeLocalModel(member.workspace.id, params.id);
}, { action: "localModel.manage" });
