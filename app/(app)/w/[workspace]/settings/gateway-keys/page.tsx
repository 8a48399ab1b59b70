import { GatewayKeysManager, type GatewayKeyRow } from "@/components/gateway-keys/gateway-keys-manager";
import { NotAllowed } from "@/components/shell/not-allowed";
import { gatewayBaseUrl } from "@/components/releases/gateway-url";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listGatewayKeys } from "@/lib/gateway-keys/service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Gateway keys" };

// Settings › Gateway keys (admins and owners). Others are told who manages them: a key is a secret for the workspace's
// production traffic, so even its list (names, last use) stays with the people who can revoke it.
export default async function GatewayKeysPage() {
  const member = await requireMember();
  if (!can(member.role, "gatewayKey.manage")) return <NotAllowed action="gatewayKey.manage" role={member.role} />;
  const keys: GatewayKeyRow[] = await listGatewayKeys(member.workspace.id);
  return <GatewayKeysManager initial={keys} userId={member.user.id} gatewayUrl={await gatewayBaseUrl()} />;
}
