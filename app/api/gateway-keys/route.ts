import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { createGatewayKeyInput, createWorkspaceGatewayKey, listGatewayKeys } from "@/lib/gateway-keys/service";

export const dynamic = "force-dynamic";

// GET lists the workspace's gateway keys (never a hash or a key); POST {name} → 201 {id, name, prefix, key,
// createdAt}: the key is in this answer only.
export const GET = withWorkspace(async ({ member }) => ({ keys: await listGatewayKeys(member.workspace.id) }), { action: "gatewayKey.manage" });

export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, createGatewayKeyInput);
  const created = await createWorkspaceGatewayKey(member.workspace.id, member.user.id, input);
  return Response.json(created, { status: 201, headers: { "cache-control": "no-store" } });
}, { action: "gatewayKey.manage" });
