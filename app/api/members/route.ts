import { withWorkspace } from "@/lib/http/with-workspace";
import { listMembersHandler } from "@/lib/members/handlers";

export const GET = withWorkspace(listMembersHandler, { action: "workspace.read" });
