import { withWorkspace } from "@/lib/http/with-workspace";
import { promptAudit } from "@/lib/reviews/audit";

type Params = { id: string };

export const GET = withWorkspace<Params>(async ({ member, params }) => ({ events: await promptAudit(member.workspace.id, params.id) }), {
  action: "workspace.read",
});
