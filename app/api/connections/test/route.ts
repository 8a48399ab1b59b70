import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { testConnectionInput } from "@/lib/connections/schema";
import { testConnectionSettings } from "@/lib/connections/service";

// "Test connection" / "Fetch models" from the form, before or while editing (the typed key, or the stored one).
export const POST = withWorkspace(
  async ({ request, member }) => {
    return testConnectionSettings(member.workspace.id, await readJson(request, testConnectionInput));
  },
  { action: "connection.manage" },
);
