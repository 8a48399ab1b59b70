import type { CaseColumns } from "@/lib/compare/types";

// Which cases the list shows. With repeats, "passes" compares the share of repeats that passed; with one result per
// case these are exactly pass/fail.

export type CaseFilter = "all" | "disagree" | "onlyA" | "onlyB" | "bothFail" | "errors" | "incomplete";

export const FILTERS: { value: CaseFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "disagree", label: "Disagreements" },
  { value: "onlyA", label: "A passes, B fails" },
  { value: "onlyB", label: "B passes, A fails" },
  { value: "bothFail", label: "Both fail" },
  { value: "errors", label: "Errors" },
  { value: "incomplete", label: "Not in the statistics" },
];

export function matchesFilter(cases: CaseColumns, a: number, b: number, index: number, filter: CaseFilter): boolean {
  const passA = cases.columns[a]?.pass[index] ?? null;
  const passB = cases.columns[b]?.pass[index] ?? null;
  switch (filter) {
    case "all":
      return true;
    case "disagree":
      return passA !== null && passB !== null && passA !== passB;
    case "onlyA":
      return passA !== null && passB !== null && passA > passB;
    case "onlyB":
      return passA !== null && passB !== null && passB > passA;
    case "bothFail":
      return passA === 0 && passB === 0;
    case "errors":
      return (cases.columns[a]?.errors[index] ?? null) !== null || (cases.columns[b]?.errors[index] ?? null) !== null;
    case "incomplete":
      return !cases.analysed[index];
  }
}

export type CaseSort = "suite" | "latencyUp" | "latencyDown" | "scoreDown";

export const SORTS: { value: CaseSort; label: string }[] = [
  { value: "suite", label: "Suite order" },
  { value: "latencyUp", label: "B slower first" },
  { value: "latencyDown", label: "B faster first" },
  { value: "scoreDown", label: "B scores lower first" },
];

export function sortCases(indices: number[], cases: CaseColumns, a: number, b: number, sort: CaseSort): number[] {
  if (sort === "suite") return indices;
  const value = (index: number): number => {
    if (sort === "scoreDown") {
      const scoreA = cases.columns[a]?.score[index];
      const scoreB = cases.columns[b]?.score[index];
      return scoreA === null || scoreA === undefined || scoreB === null || scoreB === undefined ? Number.POSITIVE_INFINITY : scoreB - scoreA;
    }
    const latencyA = cases.columns[a]?.latency[index];
    const latencyB = cases.columns[b]?.latency[index];
    if (latencyA === null || latencyA === undefined || latencyB === null || latencyB === undefined) return Number.POSITIVE_INFINITY;
    return sort === "latencyUp" ? latencyA - latencyB : latencyB - latencyA;
  };
  return [...indices].sort((left, right) => value(left) - value(right));
}
