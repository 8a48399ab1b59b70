import { env } from "../env.ts";
import { AppError } from "../errors.ts";
import { readText } from "../http/read-body.ts";
import { errorResponse } from "../http/with-workspace.ts";
import { getAuth } from "./auth.ts";
import { clientAddress } from "./client-address.ts";
import { limitedSignIn } from "./sign-in-limit.ts";

// better-auth's endpoints (app/api/auth/[...all]). Public sign-up is closed: the owner is created by /api/setup and
// members by an admin. Email sign-in goes through the sign-in limit first.

/** better-auth's bodies are a few fields (email, password, a callback URL); nothing legitimate comes near this. */
export const AUTH_BODY_BYTES = 16 * 1024;

/** The request with its body read under the cap (413 past it), so neither the limit nor better-auth buffers more. */
async function boundedRequest(request: Request): Promise<Request> {
  if (request.method === "GET" || request.method === "HEAD") return request;
  const body = await readText(request, { maxBytes: AUTH_BODY_BYTES, setting: "the sign-in endpoints' limit" });
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  return new Request(request.url, { method: request.method, headers, body });
}

export async function handleAuthRequest(incoming: Request): Promise<Response> {
  try {
    const { pathname } = new URL(incoming.url);
    if (pathname.startsWith("/api/auth/sign-up")) {
      throw new AppError("forbidden", "sign-up", "Sign-up is closed; ask a workspace admin for an account.");
    }
    const request = await boundedRequest(incoming);
    const auth = await getAuth();
    if (request.method === "POST" && pathname === "/api/auth/sign-in/email") {
      return await limitedSignIn(request, clientAddress(request.headers, env.ASSAY_TRUST_PROXY), (signIn) => auth.handler(signIn));
    }
    return await auth.handler(request);
  } catch (error) {
    return errorResponse(error);
  }
}
