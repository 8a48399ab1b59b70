import { withWorkspace } from "@/lib/http/with-workspace";
import { getVersion } from "@/lib/prompts/service";
import { versionView } from "@/lib/prompts/views";

// A version by id, or by number ("3") for links people type.
export const GET = withWorkspace<{ id: string; versionId: string }>(async ({ member, params }) => {
  const ref = /^\d+$/.test(params.versionId) ? Number(params.versionId) : params.versionId;
  return versionView(await getVersion(member.workspace.id, params.id, ref));
}, { action: "workspace.read" });
