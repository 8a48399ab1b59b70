import { errorResponse } from "@/lib/http/with-workspace";
import { invitationSignUpHandler } from "@/lib/invitations/handlers";

// Public: a new person with an invitation link creates their account. The token is the only credential.
export async function POST(request: Request) {
  try {
    return await invitationSignUpHandler(request);
  } catch (error) {
    return errorResponse(error);
  }
}
