import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { measureLocalModelInput } from "@/lib/local-models/catalog-schema";
import { measureLocalModel } from "@/lib/local-models/catalog";

// Runs a short generation through the local model server (seconds for a small model) and stores its speed.
export const POST = withWorkspace(async ({ request, member }) => measureLocalModel(member.workspace.id, member.role, await readJson(request, measureLocalModelInput)), { action: "localModel.manage" });
