import { z } from "zod";
import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { createRunInput } from "@/lib/runs/schema";
import { createRun, listRuns } from "@/lib/runs/service";

export const dynamic = "force-dynamic";

const listQuery = z.object({
  suiteId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const GET = withWorkspace(async ({ request, member }) => {
  const query = listQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return listRuns(member.workspace.id, query);
}, { action: "workspace.read" });

export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, createRunInput);
  const created = await createRun(member.workspace.id, member.user.id, input, { source: "web" });
  return Response.json(created, { status: 201 });
}, { action: "model.call" });
