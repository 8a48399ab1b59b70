import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { rerequestInput } from "@/lib/reviews/schema";
import { rerequestReview } from "@/lib/reviews/service";

type Params = { id: string };

export const POST = withWorkspace<Params>(
  async ({ request, member, params }) => rerequestReview(member, params.id, await readJson(request, rerequestInput)),
  { action: "review.write" },
);
