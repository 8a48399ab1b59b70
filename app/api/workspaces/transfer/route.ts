import { withWorkspace } from "@/lib/http/with-workspace";
import { transferOwnershipHandler } from "@/lib/members/handlers";

export const POST = withWorkspace(transferOwnershipHandler, { action: "workspace.transfer" });
