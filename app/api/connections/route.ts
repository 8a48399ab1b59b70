import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { createConnectionInput } from "@/lib/connections/schema";
import { createConnection, listConnections } from "@/lib/connections/service";

export const GET = withWorkspace(async ({ member }) => listConnections(member.workspace.id), { action: "workspace.read" });

// The service parses the body with zod (errors name the field); the API key never comes back, only its last 4.
export const POST = withWorkspace(async ({ request, member }) => {
  return Response.json(await createConnection(member.workspace.id, await readJson(request, createConnectionInput)), { status: 201 });
}, { action: "connection.manage" });
