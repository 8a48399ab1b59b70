// What the suite screens receive: the API's JSON, dates as ISO strings.

/** An assertion as stored: `type` (maybe `not-…`) plus the fields of that type. */
export type AssertionJson = { type: string; [field: string]: unknown };

export interface SuiteView {
  id: string;
  name: string;
  description: string;
  assertions: AssertionJson[];
  caseCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface CaseView {
  id: string;
  position: number;
  key: string;
  variables: Record<string, unknown>;
  expected: string | null;
  tags: string[];
  assertions: AssertionJson[];
}

export interface CasePageView {
  cases: CaseView[];
  total: number;
  offset: number;
  limit: number;
}

export interface ImportSummaryView {
  imported: number;
  replaced: number;
  mode: "append" | "replace";
}

/** A problem the server found, pointed at a field (assertions[2].value, key, variables.city). */
export interface FieldProblem {
  path?: string;
  row?: number;
  message: string;
}
