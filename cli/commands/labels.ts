import { parseArgs } from "node:util";

// `assay labels list <prompt>` and `assay labels move <prompt> <label> <version> --as <email>`: the same label move
// the prompt page and PUT /api/prompts/:id/labels/:name make, with the same rules — the person named by --as must be
// a member allowed to move that label, and a protected label needs its approvals (the 409's reason is printed and the
// command exits 1). Exit codes: 0 moved (or listed), 1 refused, 2 invalid input.

const HELP = `Usage:
  assay labels list <prompt> [--workspace SLUG]
  assay labels move <prompt> <label> <version> --as EMAIL [--workspace SLUG]

  <prompt>   the prompt's name or id
  <version>  a version number (3 or v3) or a version id
  --as       the member who moves the label (their role and the release gate apply)
`;

function fail(message: string, code = 2): number {
  process.stderr.write(`assay labels: ${message}\n`);
  return code;
}

export { labels as run };

/** "3", "v3" → 3; anything else is a version id. */
function versionRef(text: string): number | string {
  const match = /^v?(\d+)$/i.exec(text.trim());
  return match ? Number(match[1]) : text.trim();
}

async function labels(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === "help" || action === "--help" || action === "-h") {
    process.stdout.write(HELP);
    return action ? 0 : 2;
  }
  if (action !== "list" && action !== "move") return fail(`unknown action "${action}"\n\n${HELP}`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { workspace: { type: "string" }, as: { type: "string" } }, strict: true });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (action === "list" && positionals.length !== 1) return fail(`give the prompt\n\n${HELP}`);
  if (action === "move" && positionals.length !== 3) return fail(`give the prompt, the label and the version\n\n${HELP}`);
  if (action === "move" && !values.as) return fail("--as EMAIL: say who moves the label (their role and the approvals apply)");

  const { openDatabase } = await import("../../lib/runtime/database.ts");
  const database = await openDatabase();
  const { db } = await import("../../lib/db.ts");
  const { AppError, errorBody } = await import("../../lib/errors.ts");
  const { ZodError } = await import("zod");
  try {
    const { chooseWorkspace, UsageError } = await import("./eval-shared.ts");
    const prompts = await import("../../lib/prompts/service.ts");
    const { loadProtectedLabels, protectedNames } = await import("../../lib/reviews/protected-labels.ts");
    try {
      const workspace = await chooseWorkspace(values.workspace);
      const prompt = await prompts.getPrompt(workspace.id, positionals[0] as string);
      const rules = await loadProtectedLabels(workspace.id);
      if (action === "list") {
        const { promptReadiness } = await import("../../lib/reviews/gate.ts");
        const readiness = await promptReadiness(workspace.id, prompt.id);
        if (prompt.labels.length === 0) process.stdout.write(`${prompt.name} has no labels yet.\n`);
        for (const label of prompt.labels) {
          const rule = rules.find((item) => item.name === label.name);
          const gate = rule ? `  protected, needs ${rule.approvals}, has ${readiness[label.versionId]?.[label.name]?.have ?? 0}` : "";
          process.stdout.write(`${label.name.padEnd(16)} v${String(label.versionNumber).padEnd(5)} ${label.updatedAt.toISOString().slice(0, 16).replace("T", " ")}${gate}\n`);
        }
        const latest = prompt.latestVersion?.number;
        if (latest !== undefined) process.stdout.write(`latest           v${latest}\n`);
        return 0;
      }
      const [, label, version] = positionals as [string, string, string];
      const email = (values.as as string).trim().toLowerCase();
      const membership = await db.membership.findFirst({
        where: { workspaceId: workspace.id, user: { email } },
        select: { role: true, user: { select: { id: true, name: true } } },
      });
      if (!membership) return fail(`${email} is not a member of ${workspace.name}`, 1);
      const { assertCan, isRole, labelAction } = await import("../../lib/auth/permissions.ts");
      if (!isRole(membership.role)) return fail(`${email} has an unknown role "${membership.role}"`, 1);
      assertCan({ role: membership.role }, labelAction(label, protectedNames(rules)));
      const target = await prompts.getVersion(workspace.id, prompt.id, versionRef(version));
      const before = prompt.labels.find((item) => item.name === label);
      const moved = await prompts.moveLabel(workspace.id, prompt.id, label, target.id, membership.user.id);
      const was = before && before.versionId !== moved.versionId ? ` (was v${before.versionNumber})` : before ? " (already there)" : "";
      process.stdout.write(`${label} → ${prompt.name} v${moved.versionNumber}${was}, moved by ${membership.user.name}\n`);
      return 0;
    } catch (error) {
      if (error instanceof UsageError) return fail(error.message);
      if (error instanceof ZodError) return fail(errorBody(error).error.message);
      if (error instanceof AppError) {
        // Refusals (the release gate's 409, a role's 403) exit 1; a wrong name or number is invalid input (2).
        const refused = error.code === "conflict" || error.code === "forbidden";
        return fail(error.message, refused ? 1 : 2);
      }
      throw error;
    }
  } finally {
    // Exiting anyway: the database is stopped next and the process ends; the outcome is already printed.
    await db.$disconnect().catch(() => undefined);
    await database.stop();
  }
}
