import { z } from "zod";
import { withWorkspace } from "@/lib/http/with-workspace";
import { requestOptions } from "@/lib/reviews/options";

const query = z.object({ versionId: z.string().min(1, "versionId: which version?") });

// Who can be asked to review a version, and which runs and comparisons can be attached as evidence.
export const GET = withWorkspace(async ({ request, member }) => {
  const { versionId } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return requestOptions(member.workspace.id, member.user.id, versionId);
}, { action: "review.write" });
