import { readJson, errorResponse } from "@/lib/http/with-workspace";
import { setupInput, setupOwner } from "@/lib/workspaces/setup";

export async function POST(request: Request) {
  try {
    return await setupOwner(await readJson(request, setupInput));
  } catch (error) {
    return errorResponse(error);
  }
}
