import { withWorkspace } from "@/lib/http/with-workspace";
import { getConnection, testConnectionSettings } from "@/lib/connections/service";

// Tests a saved connection with its stored key (decrypted on the server only): it spends the key, so it is part of
// managing connections (admins), like the form's own test.
export const POST = withWorkspace<{ id: string }>(
  async ({ member, params }) => {
    const connection = await getConnection(member.workspace.id, params.id);
    return testConnectionSettings(member.workspace.id, { baseUrl: connection.baseUrl, connectionId: connection.id, timeoutMs: Math.min(connection.timeoutMs, 15_000) });
  },
  { action: "connection.manage" },
);
