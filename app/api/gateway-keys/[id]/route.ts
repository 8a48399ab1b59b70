import { withWorkspace } from "@/lib/http/with-workspace";
import { revokeGatewayKey } from "@/lib/gateway-keys/service";

// DELETE /api/gateway-keys/:id revokes the key: 204, also when it already was revoked; 404 for an unknown id.
export const DELETE = withWorkspace<{ id: string }>(async ({ member, params }) => {
  await revokeGatewayKey(member.workspace.id, member.user.id, params.id);
}, { action: "gatewayKey.manage" });
