import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { listReviews } from "@/lib/reviews/read";
import { requestReviewInput } from "@/lib/reviews/schema";
import { requestReview } from "@/lib/reviews/service";

export const GET = withWorkspace(async ({ request, member }) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return { reviews: await listReviews(member.workspace.id, member.user.id, query) };
}, { action: "workspace.read" });

export const POST = withWorkspace(async ({ request, member }) => {
  const review = await requestReview(member, await readJson(request, requestReviewInput));
  return Response.json(review, { status: 201 });
}, { action: "review.write" });
