import { getAuth } from "@/lib/auth/auth";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/with-workspace";

// better-auth's endpoints. Public sign-up is closed: the owner is created by /api/setup and members by an admin.
async function handle(request: Request): Promise<Response> {
  if (new URL(request.url).pathname.startsWith("/api/auth/sign-up")) {
    return errorResponse(new AppError("forbidden", "sign-up", "Sign-up is closed; ask a workspace admin for an account."));
  }
  return (await getAuth()).handler(request);
}

export const GET = handle;
export const POST = handle;
