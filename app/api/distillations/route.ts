import { readJsonValue } from "@/lib/http/read-body";
import { withWorkspace } from "@/lib/http/with-workspace";
import { createDistillation, listDistillations } from "@/lib/distill/service";
import type { CreateDistillationInput } from "@/lib/distill/schema";

export const dynamic = "force-dynamic";

// GET /api/distillations → { distillations: DistillationView[] } (newest first, light: the last loss point only, no failed rows);
// POST (createDistillationInput, lib/distill/schema.ts) → 201 { id }: the teacher run starts (state collecting).
export const GET = withWorkspace(async ({ member }) => ({ distillations: await listDistillations(member.workspace.id) }), { action: "workspace.read" });

export const POST = withWorkspace(async ({ request, member }) => {
  const input = (await readJsonValue(request)) as CreateDistillationInput;
  const created = await createDistillation(member.workspace.id, member.user.id, input, { source: "web" });
  return Response.json(created, { status: 201, headers: { "cache-control": "no-store" } });
}, { action: "model.call" });
