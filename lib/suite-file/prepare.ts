import { AppError, type ErrorDetail } from "../errors.ts";
import type { JudgeSpec, VariantSpec } from "../runs/types.ts";
import { readCases } from "./cases.ts";
import { loadSuiteFile } from "./load.ts";
import { suiteFileError, type ParsedSuiteFile } from "./parse.ts";
import { syncSuite } from "./sync.ts";

// Everything `assay eval` checks before it stores anything, then the one write of the suite and its cases.
// The cases are read twice (a CSV of 100,000 rows is streamed, never held): first to check every row against every
// prompt, then to store them.

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
  const keys = new Map<string, string>();
  let count = 0;
  for await (const item of readCases(parsed, fileName, baseDir)) {
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
  }
  if (count === 0) throw suiteFileError(fileName, [{ path: "cases", message: "the suite file has no cases" }]);
  keys.clear();
  const synced = await syncSuite(workspaceId, parsed.config, readCases(parsed, fileName, baseDir));
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
