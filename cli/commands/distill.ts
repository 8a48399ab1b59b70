import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

// `assay distill --name N --from rows.jsonl [--workspace SLUG] [--min-agreement 0.95] [--seed N]`: trains a
// classifier student on a teacher's input → output pairs (one JSON object per line), prints the agreement report and
// stores the student in the workspace, where `assay serve-model` serves it as student:<name>. A student below
// --min-agreement is not stored (exit 1); bad input changes nothing (exit 2).

const HELP = `Usage: assay distill --name <student> --from <rows.jsonl> [options]

  --name <student>        the student's name (served as student:<name>)
  --from <rows.jsonl>     the teacher's outputs: one {"input": "...", "output": "..."} per line
  --workspace <slug>      the workspace to store it in (default: the first one)
  --min-agreement <0..1>  refuse to store a student whose held-out agreement is lower (exit 1)
  --seed <n>              seed of the split and the training (default 1)
`;

function fail(message: string, code = 2): number {
  process.stderr.write(`assay distill: ${message}\n`);
  return code;
}

export function parseRowsJsonl(text: string, file: string): { input: string; output: string }[] {
  const rows: { input: string; output: string }[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${file} line ${index + 1}: not JSON (${(error as Error).message})`);
    }
    const row = value as { input?: unknown; output?: unknown } | null;
    if (!row || typeof row.input !== "string" || typeof row.output !== "string") {
      throw new Error(`${file} line ${index + 1}: needs "input" and "output" strings`);
    }
    rows.push({ input: row.input, output: row.output });
  });
  if (rows.length === 0) throw new Error(`${file}: no rows`);
  return rows;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        name: { type: "string" },
        from: { type: "string" },
        workspace: { type: "string" },
        "min-agreement": { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.name) return fail(`--name: give the student's name\n\n${HELP}`);
  if (!values.from) return fail(`--from: give the JSONL file of input/output rows\n\n${HELP}`);
  const minAgreement = values["min-agreement"] === undefined ? undefined : Number(values["min-agreement"]);
  if (minAgreement !== undefined && !(minAgreement >= 0 && minAgreement <= 1)) {
    return fail(`--min-agreement must be a number from 0 to 1 (got "${values["min-agreement"]}")`);
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) return fail(`--seed must be an integer (got "${values.seed}")`);

  const { AppError } = await import("../../lib/errors.ts");
  const { checkStudentName, distill, storeStudent } = await import("../../lib/distill/train.ts");
  const { studentReport } = await import("../../lib/distill/report.ts");
  let trained;
  try {
    checkStudentName(values.name);
    const text = await readFile(values.from, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${values.from}: cannot read (${error.code ?? error.message})`);
    });
    trained = distill(parseRowsJsonl(text, values.from), { seed });
  } catch (error) {
    return fail((error as Error).message);
  }

  const { openDatabase } = await import("../../lib/runtime/database.ts");
  const database = await openDatabase();
  const { db } = await import("../../lib/db.ts");
  try {
    const { chooseWorkspace, UsageError } = await import("./eval-shared.ts");
    try {
      const workspace = await chooseWorkspace(values.workspace);
      process.stdout.write(studentReport(values.name, trained.metrics));
      if (minAgreement !== undefined && trained.metrics.exactMatch < minAgreement) {
        return fail(`agreement ${trained.metrics.exactMatch.toFixed(3)} is below --min-agreement ${minAgreement}: the student was not stored`, 1);
      }
      await storeStudent(db, workspace.id, values.name, trained);
      process.stdout.write(`\nStored in ${workspace.name}; \`assay serve-model\` serves it as student:${values.name}\n`);
      return 0;
    } catch (error) {
      if (error instanceof UsageError || error instanceof AppError) return fail(error.message);
      throw error;
    }
  } finally {
    // Exiting anyway: the outcome is printed and the database is stopped next.
    await db.$disconnect().catch(() => undefined);
    await database.stop();
  }
}
