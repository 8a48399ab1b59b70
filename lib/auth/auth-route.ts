import { env } from "../env.ts";
import { AppError } from "../errors.ts";
import { errorResponse } from "../http/with-workspace.ts";
import { getAuth } from "./auth.ts";
import { clientAddress } from "./client-address.ts";
import { limitedSignIn } from "./sign-in-limit.ts";

// better-auth's endpoints (app/api/auth/[...all]). Public sign-up is closed: the owner is created by /api/setup and
// members by an admin. Email sign-in goes through the sign-in limit first.
export async function handleAuthRequest(request: Request): Promise<Response> {
  try {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/api/auth/sign-up")) {
      throw new AppError("forbidden", "sign-up", "Sign-up is closed; ask a workspace admin for an account.");
    }
    const auth = await getAuth();
    if (request.method === "POST" && pathname === "/api/auth/sign-in/email") {
      return await limitedSignIn(request, clientAddress(request.headers, env.ASSAY_TRUST_PROXY), (signIn) => auth.handler(signIn));
    }
    return await auth.handler(request);
  } catch (error) {
    return errorResponse(error);
  }
}
