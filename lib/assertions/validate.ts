import type { z } from "zod";
import { assertionList } from "./schema.ts";

export interface ValidationIssue {
  /** e.g. assertions[2].value */
  path: string;
  message: string;
}

/** ["assertions", 2, "value"] → "assertions[2].value" */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text;
}

/**
 * Checks a list of assertions as a user wrote them, including what only shows on compiling them (a regular expression,
 * a JSON Schema, a JSONPath). Returns every problem, each with its path; an empty list means valid.
 */
export function validateAssertions(list: unknown, basePath = "assertions"): ValidationIssue[] {
  const result = assertionList.safeParse(list);
  if (result.success) return [];
  return flattenIssues(result.error.issues).map((issue) => ({
    path: formatIssuePath([basePath, ...issue.path]),
    message: issue.message,
  }));
}

export interface FlatIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * zod's issues, made to point at the offending key: an unknown key becomes an issue at that key, and a union that
 * matched no member reports the member that came closest (fewest issues) instead of a bare "Invalid input".
 */
export function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): FlatIssue[] {
  return issues.flatMap((issue): FlatIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}"` }));
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((left, right) => branchDistance(left) - branchDistance(right))[0];
      if (closest && closest.length > 0) return flattenIssues(closest, path);
    }
    return [{ path, message: issue.message }];
  });
}

/** How far a union member was from matching: its issue count, or worst of all when the value is not even its type. */
function branchDistance(issues: readonly z.core.$ZodIssue[]): number {
  const wrongType = issues.some((issue) => issue.path.length === 0 && issue.code === "invalid_type");
  return wrongType ? Number.MAX_SAFE_INTEGER : issues.length;
}
