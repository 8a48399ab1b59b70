import { AppError, type ErrorDetail } from "../errors.ts";
import type { JudgeSpec, VariantSpec } from "../runs/types.ts";
import { readCases, type FileCase } from "./cases.ts";
import { loadSuiteFile } from "./load.ts";
import { suiteFileError, type ParsedSuiteFile } from "./parse.ts";
import { syncSuite } from "./sync.ts";

// Everything `assay eval` checks, and the one write of the suite and its cases. The cases are streamed (a CSV of
// 100,000 rows is never held) and each is checked against every prompt on its way into the sync's transaction.

export interface PreparedEval {
  suiteId: string;
  variants: VariantSpec[];
  judge?: JudgeSpec;
  caseIds: string[] | null;
  cases: number;
}

export async function prepareEval(
  workspaceId: string,
  parsed: ParsedSuiteFile,
  fileName: string,
  baseDir: string,
  environment: Record<string, string | undefined> = process.env,
): Promise<PreparedEval> {
  const loaded = await loadSuiteFile(workspaceId, parsed, fileName, environment);
  const judged = loaded.judge !== undefined;
  if (!judged && JSON.stringify(parsed.config.assertions).includes("llm-rubric")) {
    const line = parsed.lineOf(["assertions"]);
    throw suiteFileError(fileName, [{ ...(line ? { line } : {}), path: "judge", message: "llm-rubric assertions need a judge: add judge: { connection, model }" }]);
  }
  // Each case is checked as it is stored, in the sync's one transaction: a problem anywhere rolls the whole write back,
  // so nothing is stored, and the file is read once.
  async function* checked(cases: AsyncIterable<FileCase>): AsyncIterable<FileCase> {
    const keys = new Map<string, string>();
    let count = 0;
    for await (const item of cases) {
      count++;
      const earlier = keys.get(item.key);
      if (earlier) throw problem(item.where, `key "${item.key}" is already the key of ${earlier}`);
      keys.set(item.key, item.where);
      for (const variant of loaded.variants) {
        const missing = variant.variables.find((name) => !Object.hasOwn(item.variables, name));
        if (missing) throw problem(item.where, `case "${item.key}" has no variable "${missing}", which ${variant.promptPath} uses`);
      }
      if (!judged && item.assertions.some((assertion) => assertion.type.endsWith("llm-rubric"))) {
        throw problem(item.where, `case "${item.key}" has an llm-rubric assertion: add a judge to the suite file`);
      }
      yield item;
    }
    if (count === 0) throw suiteFileError(fileName, [{ path: "cases", message: "the suite file has no cases" }]);
  }
  const synced = await syncSuite(workspaceId, parsed.config, checked(readCases(parsed, fileName, baseDir)));
  return {
    suiteId: synced.suiteId,
    variants: loaded.variants.map((variant) => variant.spec),
    ...(loaded.judge ? { judge: loaded.judge } : {}),
    caseIds: synced.caseIds,
    cases: synced.cases,
  };
}

function problem(where: string, message: string): AppError {
  const detail: ErrorDetail = { message: `${where}: ${message}` };
  return new AppError("bad_request", "suite-file", `${where}: ${message}`, [detail]);
}
