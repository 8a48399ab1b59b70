import { holm, mcnemarExact, wilsonInterval } from "../stats/index.ts";
import type { Aggregated, CaseAggregate, ComparisonData, LoadedCase } from "./aggregate.ts";
import type { Interval, TagRow } from "./types.ts";

/**
 * Pass rate of A and B within each tag, over analysed cases graded for both. With one result per case each tag
 * gets Wilson intervals and a McNemar p-value, Holm-adjusted across the tags (many tags make some look different by
 * chance); with repeats, the shares only.
 */
export function tagBreakdown(data: ComparisonData, aggregated: Aggregated, a: number, b: number, single: boolean): TagRow[] {
  const byTag = new Map<string, { passA: number; passB: number; onlyA: number; onlyB: number; cases: number; shareA: number; shareB: number }>();
  const rowA = aggregated.aggregates[a] as (CaseAggregate | null)[];
  const rowB = aggregated.aggregates[b] as (CaseAggregate | null)[];
  data.cases.forEach((item: LoadedCase, index) => {
    if (!aggregated.analysed[index] || item.tags.length === 0) return;
    const cellA = rowA[index];
    const cellB = rowB[index];
    if (!cellA || !cellB || cellA.graded === 0 || cellB.graded === 0) return;
    const shareA = cellA.passed / cellA.graded;
    const shareB = cellB.passed / cellB.graded;
    for (const tag of item.tags) {
      let entry = byTag.get(tag);
      if (!entry) {
        entry = { passA: 0, passB: 0, onlyA: 0, onlyB: 0, cases: 0, shareA: 0, shareB: 0 };
        byTag.set(tag, entry);
      }
      entry.cases++;
      entry.shareA += shareA;
      entry.shareB += shareB;
      if (shareA === 1) entry.passA++;
      if (shareB === 1) entry.passB++;
      if (shareA === 1 && shareB === 0) entry.onlyA++;
      if (shareB === 1 && shareA === 0) entry.onlyB++;
    }
  });
  const rows: TagRow[] = [...byTag.entries()]
    .sort(([left, x], [right, y]) => y.cases - x.cases || (left < right ? -1 : 1))
    .map(([tag, entry]) => {
      const rate = (passed: number, share: number): Interval =>
        single ? { estimate: passed / entry.cases, ...wilsonInterval(passed, entry.cases) } : { estimate: share / entry.cases, low: Number.NaN, high: Number.NaN };
      const passRateA = rate(entry.passA, entry.shareA);
      const passRateB = rate(entry.passB, entry.shareB);
      return {
        tag,
        cases: entry.cases,
        passRateA,
        passRateB,
        diff: passRateB.estimate - passRateA.estimate,
        pValue: single ? mcnemarExact(entry.onlyA, entry.onlyB).pValue : null,
        adjustedP: null,
      };
    });
  const tested = rows.filter((row) => row.pValue !== null);
  const adjusted = holm(tested.map((row) => row.pValue as number));
  tested.forEach((row, index) => {
    row.adjustedP = adjusted[index] as number;
  });
  return rows;
}
