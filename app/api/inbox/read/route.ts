import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { markReadInput } from "@/lib/inbox/schema";
import { markRead } from "@/lib/inbox/service";

// POST { ids: [...] } or { all: true }: marks my lines read; answers the unread count left.
export const POST = withWorkspace(async ({ request, member }) => markRead(member, await readJson(request, markReadInput)), { action: "workspace.read" });
