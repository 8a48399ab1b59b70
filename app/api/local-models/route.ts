import { readJson, toResponse, withWorkspace } from "@/lib/http/with-workspace";
import { registerLocalModelInput } from "@/lib/local-models/catalog-schema";
import { listLocalModels, registerLocalModel } from "@/lib/local-models/catalog";

export const GET = withWorkspace(async ({ member }) => listLocalModels(member.workspace.id, member.role), { action: "workspace.read" });

export const POST = withWorkspace(async ({ request, member }) => {
  const model = await registerLocalModel(member.workspace.id, await readJson(request, registerLocalModelInput));
  const response = toResponse(model);
  return new Response(response.body, { status: 201, headers: response.headers });
}, { action: "localModel.manage" });
