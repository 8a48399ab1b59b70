import { parseArgs } from "node:util";

// `assay releases …`: what POST /api/releases and POST /api/releases/:id/<action> do, for a deploy pipeline, straight
// on the database and acting as the member named by --as (their role is checked with the API's permission table, and
// a promotion of a protected label needs its approvals). Exit codes: 0 done, 1 refused (a 409: the state does not
// allow it, another live release, the review gate; a 403: the role), 2 invalid input (a bad flag, an unknown prompt,
// version or release). --json prints the API's JSON instead of text.

const ACTIONS = ["start", "pause", "resume", "advance", "rollback", "promote", "stop"] as const;

const HELP = `Usage:
  assay releases list [--prompt P] [--state running] [--json]
  assay releases show <id> [--json]
  assay releases create --prompt P --candidate N --mode canary|ab|shadow|interleaved --as EMAIL
                        [--stable production] [--steps 1,5,25,50,100] [--split 50,50] [--sample 100]
                        [--no-auto-advance] [--webhook URL] [--json]
  assay releases start|pause|resume|advance|rollback|promote|stop <id> --as EMAIL [--reason TEXT] [--arm NAME] [--json]

  Every command takes --workspace SLUG (default: the first workspace).
  --candidate   a version number; A/B takes several: --candidate 2,3
  --as          the member who acts (admins and owners manage releases)
  --arm         promote: which candidate arm of an A/B test (default candidate)
Exit codes: 0 done, 1 refused (state, another live release, approvals, role), 2 invalid input.
`;

function fail(message: string, code = 2): number {
  process.stderr.write(`assay releases: ${message}\n`);
  return code;
}

function numbers(text: string | undefined, flag: string): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(",").map((part) => part.trim());
  const values = parts.map(Number);
  if (parts.some((part) => part === "") || values.some((value) => !Number.isFinite(value))) {
    throw new UsageErrorLike(`--${flag}: numbers separated by commas, e.g. ${flag === "candidate" ? "2,3" : "1,5,25,50,100"}`);
  }
  return values;
}

class UsageErrorLike extends Error {}

export { releases as run };

async function releases(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === "help" || action === "--help" || action === "-h") {
    process.stdout.write(HELP);
    return action ? 0 : 2;
  }
  const known = ["list", "show", "create", ...ACTIONS];
  if (!known.includes(action)) return fail(`unknown action "${action}"\n\n${HELP}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        workspace: { type: "string" },
        as: { type: "string" },
        json: { type: "boolean", default: false },
        prompt: { type: "string" },
        state: { type: "string" },
        candidate: { type: "string" },
        mode: { type: "string" },
        stable: { type: "string" },
        steps: { type: "string" },
        split: { type: "string" },
        sample: { type: "string" },
        webhook: { type: "string" },
        "no-auto-advance": { type: "boolean", default: false },
        reason: { type: "string" },
        arm: { type: "string" },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  const needsId = action === "show" || (ACTIONS as readonly string[]).includes(action);
  if (needsId && positionals.length !== 1) return fail(`give the release id\n\n${HELP}`);
  if (!needsId && positionals.length !== 0) return fail(`unexpected ${positionals.join(" ")}\n\n${HELP}`);
  const writes = action === "create" || (ACTIONS as readonly string[]).includes(action);
  if (writes && !values.as) return fail("--as EMAIL: say who acts (their role applies)");

  let input: Record<string, unknown> | undefined;
  if (action === "create") {
    if (!values.prompt || !values.candidate || !values.mode) return fail(`create needs --prompt, --candidate and --mode\n\n${HELP}`);
    try {
      const candidates = numbers(values.candidate, "candidate") as number[];
      const sample = numbers(values.sample, "sample");
      input = {
        prompt: values.prompt,
        mode: values.mode,
        ...(candidates.length === 1 ? { candidate: candidates[0] } : { candidates }),
        ...(values.stable !== undefined ? { stable: values.stable } : {}),
        ...(values.steps !== undefined ? { steps: numbers(values.steps, "steps") } : {}),
        ...(values.split !== undefined ? { split: numbers(values.split, "split") } : {}),
        ...(sample !== undefined ? { sample: sample[0] } : {}),
        ...(values.webhook !== undefined ? { webhook: values.webhook } : {}),
        ...(values["no-auto-advance"] ? { autoAdvance: false } : {}),
      };
    } catch (error) {
      if (error instanceof UsageErrorLike) return fail(error.message);
      throw error;
    }
  }

  const { openDatabase } = await import("../../lib/runtime/database.ts");
  const database = await openDatabase();
  const { db } = await import("../../lib/db.ts");
  const { settleReleaseWebhooks } = await import("../../lib/releases/webhook.ts");
  const { failureOf, memberByEmail } = await import("./cli-member.ts");
  const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  try {
    const { chooseWorkspace } = await import("./eval-shared.ts");
    const service = await import("../../lib/releases/service.ts");
    const { describeView, summaryLine } = await import("./releases-format.ts");
    try {
      const workspace = await chooseWorkspace(values.workspace);
      if (action === "list") {
        let promptId: string | undefined;
        if (values.prompt) promptId = (await (await import("../../lib/prompts/service.ts")).getPrompt(workspace.id, values.prompt)).id;
        const rows = await service.listReleases(workspace.id, { promptId, state: values.state as never });
        if (values.json) out(rows);
        else if (rows.length === 0) process.stdout.write("No releases.\n");
        else for (const row of rows) process.stdout.write(`${summaryLine(row)}\n`);
        return 0;
      }
      if (action === "show") {
        const view = await service.getReleaseView(workspace.id, positionals[0] as string);
        if (values.json) out(view);
        else process.stdout.write(describeView(view));
        return 0;
      }
      const member = await memberByEmail(workspace, values.as as string, "release.manage");
      if (action === "create") {
        const { id } = await service.createRelease(workspace.id, member.user.id, input);
        const view = await service.getReleaseView(workspace.id, id);
        if (values.json) out({ id });
        else process.stdout.write(`Created ${summaryLine(view)}\n`);
        return 0;
      }
      const { transitionRelease } = await import("../../lib/releases/transitions.ts");
      const id = positionals[0] as string;
      const result = await transitionRelease(workspace.id, id, action as (typeof ACTIONS)[number], {
        actorId: member.user.id,
        note: values.reason ?? "",
        ...(values.arm !== undefined ? { arm: values.arm } : {}),
      });
      const view = await service.getReleaseView(workspace.id, id);
      if (values.json) out(view);
      else process.stdout.write(`${summaryLine(view)}${result.changed ? "" : " (unchanged)"}\n`);
      return 0;
    } catch (error) {
      const failure = await failureOf(error);
      if (failure) return fail(failure.message, failure.code);
      throw error;
    }
  } finally {
    // A rollback's webhook is delivered in the background: the process waits for it before the database stops.
    await settleReleaseWebhooks();
    // Exiting anyway: the database is stopped next and the process ends; the outcome is already printed.
    await db.$disconnect().catch(() => undefined);
    await database.stop();
  }
}
