import { labelMetrics } from "@/lib/assertions/label";
import { normalizeLabelText, type Assertion } from "@/lib/assertions/schema";
import type { AssertionOutcome } from "@/lib/assertions/types";
import { listResults } from "@/lib/runs/service";
import type { ResultRow, RunDetail } from "@/lib/runs/types";
import type { VariantLabelMetrics } from "@/components/runs/types";

// Classification metrics for runs whose suite is a label task: every result's label outcome (the class the output
// was read as) against the case's expected class, per variant. Read a page of results at a time.

const PAGE = 500;

function labelOutcome(assertions: AssertionOutcome[]): AssertionOutcome | undefined {
  return assertions.find((outcome) => outcome.type === "label");
}

export async function runLabelMetrics(
  workspaceId: string,
  run: RunDetail,
  suiteAssertions: readonly Assertion[],
): Promise<VariantLabelMetrics[] | null> {
  const defaults = suiteAssertions.find((assertion) => assertion.type === "label");
  const classes = defaults && "classes" in defaults ? defaults.classes : undefined;
  // A fixed expected class in the assertion wins over each case's expected output, as it does when evaluating.
  const fixedExpected = defaults && "value" in defaults && typeof defaults.value === "string" && !defaults.value.includes("{{") ? defaults.value : undefined;
  const known = classes ? new Set(classes.map(normalizeLabelText)) : null;
  const pairs = run.variants.map(() => [] as { expected: string; predicted: string }[]);
  const skipped = run.variants.map(() => 0);
  let sawLabel = false;

  const collect = (rows: ResultRow[]) => {
    for (const row of rows) {
      row.cells.forEach((cell, index) => {
        const outcome = cell ? labelOutcome(cell.assertions) : undefined;
        if (!outcome) return;
        sawLabel = true;
        const expected = fixedExpected ?? row.expected;
        if (expected === null || (known && !known.has(normalizeLabelText(expected)))) {
          skipped[index] = (skipped[index] ?? 0) + 1;
          return;
        }
        // An output that is none of the classes lands in the matrix's last column.
        pairs[index]?.push({ expected, predicted: outcome.predicted ?? "\u0000none" });
      });
    }
  };

  let offset = 0;
  for (;;) {
    const page = await listResults(workspaceId, run.id, { offset, limit: PAGE, filter: "all" });
    collect(page.rows);
    // Without a label assertion in the suite's defaults, one page tells whether the cases carry one.
    if (!defaults && !sawLabel) return null;
    offset += page.rows.length;
    if (page.rows.length === 0 || offset >= page.total) break;
  }
  if (!sawLabel) return null;
  return run.variants.map((variant, index) => ({
    variantId: variant.id,
    metrics: labelMetrics(pairs[index] ?? [], classes ?? derivedClasses(pairs.flat())),
    skipped: skipped[index] ?? 0,
  }));
}

/** Classes seen as expected outputs, in first-seen order, when the suite does not list them. */
function derivedClasses(pairs: { expected: string }[]): string[] {
  const seen = new Map<string, string>();
  for (const pair of pairs) {
    const key = normalizeLabelText(pair.expected);
    if (!seen.has(key)) seen.set(key, pair.expected.trim());
  }
  return [...seen.values()];
}
