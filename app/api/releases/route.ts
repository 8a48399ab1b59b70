import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { createReleaseInput, RELEASE_STATES, type ReleaseState } from "@/lib/releases/schema";
import { createRelease, listReleases } from "@/lib/releases/service";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// GET /api/releases[?promptId=…&state=running] → { releases: ReleaseSummary[] }; POST (createReleaseInput) → 201 { id }:
// a draft, started by POST /api/releases/:id/start.
export const GET = withWorkspace(async ({ request, member }) => {
  const search = new URL(request.url).searchParams;
  const state = search.get("state");
  if (state !== null && !(RELEASE_STATES as readonly string[]).includes(state)) {
    throw new AppError("bad_request", "state", `state: one of ${RELEASE_STATES.join(", ")}`, [{ path: "state", message: state }]);
  }
  const releases = await listReleases(member.workspace.id, {
    promptId: search.get("promptId") ?? undefined,
    state: (state as ReleaseState | null) ?? undefined,
  });
  return { releases };
}, { action: "workspace.read" });

export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, createReleaseInput);
  const created = await createRelease(member.workspace.id, member.user.id, input);
  return Response.json(created, { status: 201, headers: { "cache-control": "no-store" } });
}, { action: "release.manage" });
