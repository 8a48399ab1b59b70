import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { createCommentInput, listCommentsQuery } from "@/lib/comments/schema";
import { createComment, listComments } from "@/lib/comments/service";

// GET ?targetType=run&targetId=…[&caseId=…]: one thread, oldest first. POST: a new comment (viewers may comment).
export const GET = withWorkspace(async ({ request, member }) => {
  const query = listCommentsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { comments: await listComments(member, query) };
}, { action: "workspace.read" });

export const POST = withWorkspace(async ({ request, member }) => {
  const input = await readJson(request, createCommentInput);
  return Response.json({ comment: await createComment(member, input) }, { status: 201 });
}, { action: "comment.write" });
