import { readJson, type RouteContext } from "../http/with-workspace.ts";
import type { SessionUser } from "../http/with-session.ts";
import { createWorkspace, listMyWorkspaces } from "./create.ts";
import { createWorkspaceInput, protectedLabelsInput, sharePolicyInput, updateWorkspaceInput } from "./schema.ts";
import { renameWorkspace, setProtectedLabels, setSharePolicy, workspaceSettings } from "./settings.ts";

// The workspace routes (app/api/workspaces/**), one function each.

export async function listMyWorkspacesHandler({ user }: { user: SessionUser }) {
  return { workspaces: await listMyWorkspaces(user.id) };
}

export async function createWorkspaceHandler({ request, user }: { request: Request; user: SessionUser }) {
  const input = await readJson(request, createWorkspaceInput);
  return Response.json(await createWorkspace(user.id, input), { status: 201 });
}

export async function currentWorkspaceHandler({ member }: RouteContext<Record<string, string>>) {
  return workspaceSettings(member.workspace.id);
}

export async function updateWorkspaceHandler({ request, member }: RouteContext<Record<string, string>>) {
  const { name } = await readJson(request, updateWorkspaceInput);
  return renameWorkspace(member.workspace.id, name);
}

export async function setProtectedLabelsHandler({ request, member }: RouteContext<Record<string, string>>) {
  const { labels } = await readJson(request, protectedLabelsInput);
  return setProtectedLabels(member.workspace.id, labels);
}

export async function setSharePolicyHandler({ request, member }: RouteContext<Record<string, string>>) {
  return setSharePolicy(member.workspace.id, await readJson(request, sharePolicyInput));
}
