import { z } from "zod";
import { decodedSegment } from "@/lib/http/path-segment";
import { withWorkspace } from "@/lib/http/with-workspace";
import { labelReadiness } from "@/lib/reviews/gate";

type Params = { id: string; name: string };
const query = z.object({ versionId: z.string().min(1, "versionId: which version?") });

// Whether the label may move to the version, and if not what is missing: the prompt page disables its button with it.
export const GET = withWorkspace<Params>(async ({ request, member, params }) => {
  const { versionId } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return labelReadiness(member.workspace.id, params.id, decodedSegment(params.name), versionId);
}, { action: "workspace.read" });
