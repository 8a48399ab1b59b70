import { AppError } from "@/lib/errors";
import { withWorkspace } from "@/lib/http/with-workspace";
import { diffVersions } from "@/lib/prompts/diff";
import { getVersion } from "@/lib/prompts/service";

function ref(value: string | null, name: string): string | number {
  if (!value) throw new AppError("bad_request", name, `Give the ${name} version as ?${name}=<id or number>`);
  return /^\d+$/.test(value) ? Number(value) : value;
}

export const GET = withWorkspace<{ id: string }>(async ({ request, member, params }) => {
  const query = new URL(request.url).searchParams;
  const [a, b] = await Promise.all([
    getVersion(member.workspace.id, params.id, ref(query.get("a"), "a")),
    getVersion(member.workspace.id, params.id, ref(query.get("b"), "b")),
  ]);
  return diffVersions(a, b);
}, { action: "workspace.read" });
