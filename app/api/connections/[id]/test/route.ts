import { withWorkspace } from "@/lib/http/with-workspace";
import { getConnection, testConnectionSettings } from "@/lib/connections/service";

// Tests a saved connection with its stored key (decrypted on the server only).
export const POST = withWorkspace<{ id: string }>(
  async ({ member, params }) => {
    const connection = await getConnection(member.workspace.id, params.id);
    return testConnectionSettings(member.workspace.id, { baseUrl: connection.baseUrl, connectionId: connection.id, timeoutMs: Math.min(connection.timeoutMs, 15_000) });
  },
  { write: false },
);
