import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { updateConnectionInput } from "@/lib/connections/schema";
import { deleteConnection, getConnection, updateConnection } from "@/lib/connections/service";

type Params = { id: string };

export const GET = withWorkspace<Params>(async ({ member, params }) => getConnection(member.workspace.id, params.id), { action: "workspace.read" });

export const PATCH = withWorkspace<Params>(async ({ request, member, params }) => {
  return updateConnection(member.workspace.id, params.id, await readJson(request, updateConnectionInput));
}, { action: "connection.manage" });

export const DELETE = withWorkspace<Params>(async ({ member, params }) => {
  await deleteConnection(member.workspace.id, params.id);
}, { action: "connection.manage" });
