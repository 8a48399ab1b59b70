import { withWorkspace } from "@/lib/http/with-workspace";
import { getReview } from "@/lib/reviews/read";

type Params = { id: string };

export const GET = withWorkspace<Params>(async ({ member, params }) => getReview(member.workspace.id, params.id), { action: "workspace.read" });
