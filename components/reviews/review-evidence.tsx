import Link from "next/link";
import { Verdicts } from "@/components/compare/summary-panel";
import { LetterBadge } from "@/components/compare/variant-chip";
import { ProgressBar, StatusBadge } from "@/components/runs/run-bits";
import { VariantSummaryTable } from "@/components/runs/variant-summary";
import type { RunDetailView } from "@/components/runs/types";
import type { Comparison } from "@/lib/compare/types";

// The evidence at the top of a review: a comparison's verdicts (each variant against the baseline), or a run's
// per-variant summary, with a link to the full screen.

export type EvidenceView =
  | { type: "comparison"; href: string; comparison: Comparison }
  | { type: "run"; href: string; run: RunDetailView }
  | { type: "missing"; what: string; problem: string };

export function ReviewEvidence({ evidence }: { evidence: EvidenceView | null }) {
  if (!evidence) {
    return (
      <section className="card p-4" data-testid="review-evidence">
        <h2 className="text-sm font-semibold">Evidence</h2>
        <p className="mt-1 text-sm text-slate-500">No run or comparison attached. Reviewers judge the version on its content alone.</p>
      </section>
    );
  }
  if (evidence.type === "missing") {
    return (
      <section className="card p-4" data-testid="review-evidence">
        <h2 className="text-sm font-semibold">Evidence: {evidence.what}</h2>
        <p className="mt-1 text-sm text-amber-800">{evidence.problem}</p>
      </section>
    );
  }
  if (evidence.type === "run") {
    const run = evidence.run;
    return (
      <section className="space-y-3" data-testid="review-evidence">
        <div className="flex items-center justify-between gap-3">
          <h2 className="flex items-center gap-2 text-sm font-semibold">
            Evidence: run {run.name || run.id.slice(-6)} <StatusBadge status={run.status} />
          </h2>
          <Link className="btn py-1 text-xs" href={evidence.href}>Open run</Link>
        </div>
        <ProgressBar progress={run.progress} size="sm" />
        <VariantSummaryTable runId={run.id} variants={run.variants} />
      </section>
    );
  }
  const { comparison } = evidence;
  const byId = new Map(comparison.variants.map((variant, index) => [variant.id, { variant, index }]));
  const baseline = comparison.variants[0];
  return (
    <section className="card space-y-3 p-4" data-testid="review-evidence">
      <div className="flex items-center justify-between gap-3">
        <h2 className="text-sm font-semibold">Evidence: comparison of {comparison.variants.length} variants</h2>
        <Link className="btn py-1 text-xs" href={evidence.href} data-testid="open-comparison">Open comparison</Link>
      </div>
      <p className="text-xs text-slate-500">
        {comparison.analysedCases.toLocaleString("en-US")} cases analysed{comparison.incompleteCases > 0 ? `, ${comparison.incompleteCases.toLocaleString("en-US")} incomplete` : ""}
        {comparison.final ? "" : " · runs still in progress, the figures may change"}.
      </p>
      {comparison.pairs.map((pair) => {
        const other = byId.get(pair.variantId);
        return (
          <div key={pair.variantId} className="space-y-1.5">
            <div className="flex flex-wrap items-center gap-1.5 text-xs text-slate-600">
              {other && <LetterBadge letter={other.variant.letter} index={other.index} size="sm" />}
              <span className="font-medium">{other?.variant.label ?? pair.variantId}</span>
              {other && <VersionHint label={other.variant.label} number={other.variant.versionNumber} />}
              <span className="text-slate-400">against</span>
              {baseline && <LetterBadge letter={baseline.letter} index={0} size="sm" />}
              <span className="font-medium">{baseline?.label}</span>
              {baseline && <VersionHint label={baseline.label} number={baseline.versionNumber} />}
            </div>
            <Verdicts pair={pair} />
          </div>
        );
      })}
    </section>
  );
}

/** "v2" after a variant's label, unless the label already says it. */
function VersionHint({ label, number }: { label: string; number: number | null }) {
  if (number === null || label.trim() === `v${number}`) return null;
  return <span className="text-slate-400">v{number}</span>;
}
