import { db, type Prisma } from "../db.ts";

// Every web process and gateway replica keeps the release plan of the workspaces it serves in memory
// (lib/gateway/plan-cache.ts) and LISTENs on this channel: whoever changes what the gateway routes — a release action,
// a label move, a new version, a connection, a gateway key — notifies with the workspace's id, in the same
// transaction when there is one (PostgreSQL delivers a NOTIFY at commit, so no replica reloads before the change is
// visible).

export const GATEWAY_CHANNEL = "assay_gateway";

export type GatewayChange = "release" | "label" | "version" | "connection" | "key" | "members";

export async function notifyGatewayChange(
  workspaceId: string,
  what: GatewayChange,
  client: Pick<Prisma.TransactionClient, "$executeRaw"> = db,
): Promise<void> {
  await client.$executeRaw`SELECT pg_notify(${GATEWAY_CHANNEL}, ${JSON.stringify({ workspaceId, what })})`;
}
