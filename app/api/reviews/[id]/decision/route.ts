import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { decisionInput } from "@/lib/reviews/schema";
import { decideReview } from "@/lib/reviews/service";

type Params = { id: string };

export const POST = withWorkspace<Params>(
  async ({ request, member, params }) => decideReview(member, params.id, await readJson(request, decisionInput)),
  { action: "review.write" },
);
