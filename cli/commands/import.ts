import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

// `assay import promptfoo <config> [--out suite.yaml]`: writes the Assay suite file equivalent to a promptfoo config
// (prompts and tests inlined, providers as inline targets), so a team can move to it. What Assay cannot run is listed
// on stderr and left out of the file, as `assay eval` would leave it out. A key written in the config is not copied:
// the suite file reads it from the provider's own variable (OPENAI_API_KEY, …). Exit 0 written, 2 bad input.

const HELP = `Usage: assay import promptfoo <promptfooconfig.yaml> [--out suite.yaml]

Writes the Assay suite file equivalent to a promptfoo config (to stdout without --out).
What maps to what: docs/promptfoo.md.
`;

function fail(message: string): number {
  process.stderr.write(`assay import: ${message}\n`);
  return 2;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { out: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  if (parsed.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [kind, config, ...extra] = parsed.positionals;
  if (kind !== "promptfoo" || !config || extra.length > 0) return fail(`give the format and one file: assay import promptfoo <config>\n\n${HELP}`);
  const file = path.resolve(config);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return fail(`cannot read ${config}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  const { AppError } = await import("../../lib/errors.ts");
  const { readPositionedYaml } = await import("../../lib/suite-file/parse.ts");
  const { convertPromptfoo, looksLikePromptfoo, noticeLines } = await import("../../lib/promptfoo/convert.ts");
  const { stringify } = await import("yaml");
  try {
    const positioned = readPositionedYaml(text, config);
    if (!looksLikePromptfoo(positioned.raw)) return fail(`${config} is not a promptfoo config (it has no providers or tests)`);
    const converted = convertPromptfoo(positioned, config, path.dirname(file), {});
    if (converted.notices.length > 0) process.stderr.write(`${config}: ${noticeLines(config, converted.notices)}\n`);
    const suite = structuredClone(converted.parsed.raw) as { targets: { apiKeyEnv?: string }[]; judge?: { apiKeyEnv?: string } };
    for (const target of [...suite.targets, ...(suite.judge ? [suite.judge] : [])]) {
      const own = target.apiKeyEnv ? converted.keyVariables[target.apiKeyEnv] : undefined;
      if (own) {
        process.stderr.write(`${config}: a key is written in the config; the suite file reads it from ${own} instead\n`);
        target.apiKeyEnv = own;
      }
    }
    const yaml = `# Converted from the promptfoo config ${path.basename(config)} by \`assay import promptfoo\`; run it with \`npx assay eval\`.\n${stringify(suite, { lineWidth: 0 })}`;
    if (parsed.values.out) {
      await writeFile(parsed.values.out, yaml);
      process.stderr.write(`Wrote ${parsed.values.out}\n`);
    } else process.stdout.write(yaml);
    return 0;
  } catch (error) {
    if (error instanceof AppError) return fail(`invalid promptfoo config\n${error.message}`);
    throw error;
  }
}
