import { parseArgs } from "node:util";

// `assay gateway-keys create <name> | list | revoke <id> --as EMAIL`: the workspace keys applications send to
// /api/gateway/v1, managed as on Settings › Gateway keys (admins and owners). `create` prints the key once — on stdout
// alone, so a script can capture it; --json prints { id, name, prefix, key, createdAt }. Exit codes: 0 done,
// 1 refused (role), 2 invalid input (a bad name, an unknown key).

const HELP = `Usage:
  assay gateway-keys create <name> --as EMAIL [--json]
  assay gateway-keys list --as EMAIL [--json]
  assay gateway-keys revoke <id> --as EMAIL

  Every command takes --workspace SLUG (default: the first workspace).
Exit codes: 0 done, 1 refused, 2 invalid input.
`;

function fail(message: string, code = 2): number {
  process.stderr.write(`assay gateway-keys: ${message}\n`);
  return code;
}

export { gatewayKeys as run };

async function gatewayKeys(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === "help" || action === "--help" || action === "-h") {
    process.stdout.write(HELP);
    return action ? 0 : 2;
  }
  if (!["create", "list", "revoke"].includes(action)) return fail(`unknown action "${action}"\n\n${HELP}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { workspace: { type: "string" }, as: { type: "string" }, json: { type: "boolean", default: false } },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (action !== "list" && positionals.length !== 1) return fail(`give the key's ${action === "create" ? "name" : "id"}\n\n${HELP}`);
  if (action === "list" && positionals.length !== 0) return fail(`unexpected ${positionals.join(" ")}\n\n${HELP}`);
  if (!values.as) return fail("--as EMAIL: say who acts (admins and owners manage gateway keys)");

  const { openDatabase } = await import("../../lib/runtime/database.ts");
  const database = await openDatabase();
  const { db } = await import("../../lib/db.ts");
  const { failureOf, memberByEmail } = await import("./cli-member.ts");
  try {
    const { chooseWorkspace } = await import("./eval-shared.ts");
    const keys = await import("../../lib/gateway-keys/service.ts");
    try {
      const workspace = await chooseWorkspace(values.workspace);
      const member = await memberByEmail(workspace, values.as, "gatewayKey.manage");
      if (action === "create") {
        const created = await keys.createWorkspaceGatewayKey(workspace.id, member.user.id, { name: positionals[0] });
        if (values.json) process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
        else {
          process.stdout.write(`${created.key}\n`);
          process.stderr.write(`Created gateway key "${created.name}" (${created.id}). Store it now: it is not shown again.\n`);
        }
        return 0;
      }
      if (action === "list") {
        const list = await keys.listGatewayKeys(workspace.id);
        if (values.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0) process.stdout.write("No gateway keys.\n");
        else {
          for (const key of list) {
            const state = key.revokedAt ? `revoked ${key.revokedAt.slice(0, 16).replace("T", " ")}` : key.lastUsedAt ? `last used ${key.lastUsedAt.slice(0, 16).replace("T", " ")}` : "never used";
            process.stdout.write(`${key.id}  ${`${key.prefix}…`.padEnd(16)} ${key.name.padEnd(24)} ${key.createdBy?.name ?? "-"}  ${state}\n`);
          }
        }
        return 0;
      }
      const revoked = await keys.revokeGatewayKey(workspace.id, member.user.id, positionals[0] as string);
      process.stdout.write(revoked ? `Revoked gateway key ${positionals[0]}.\n` : `Gateway key ${positionals[0]} was already revoked.\n`);
      return 0;
    } catch (error) {
      const failure = await failureOf(error);
      if (failure) return fail(failure.message, failure.code);
      throw error;
    }
  } finally {
    // Exiting anyway: the database is stopped next and the process ends; the outcome is already printed.
    await db.$disconnect().catch(() => undefined);
    await database.stop();
  }
}
