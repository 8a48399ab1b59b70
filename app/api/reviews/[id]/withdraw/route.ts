import { withWorkspace } from "@/lib/http/with-workspace";
import { withdrawReview } from "@/lib/reviews/service";

type Params = { id: string };

export const POST = withWorkspace<Params>(async ({ member, params }) => withdrawReview(member, params.id), { action: "review.write" });
