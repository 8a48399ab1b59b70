import { z } from "zod";
import { withWorkspace } from "@/lib/http/with-workspace";
import { promptGate } from "@/lib/reviews/prompt-gate";

const query = z.object({ promptId: z.string().min(1, "promptId: which prompt?") });

// The release gate of every version of a prompt (protected labels, approvals, reviews), for the Versions tab.
export const GET = withWorkspace(async ({ request, member }) => {
  const { promptId } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return promptGate(member.workspace.id, promptId);
}, { action: "workspace.read" });
