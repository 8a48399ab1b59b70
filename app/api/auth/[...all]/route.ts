import { handleAuthRequest } from "@/lib/auth/auth-route";

export const GET = handleAuthRequest;
export const POST = handleAuthRequest;
