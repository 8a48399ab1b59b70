"use client";
import { useState } from "react";
import { formatCount, formatDuration, formatMoney, formatNumber, formatPercent } from "@/lib/format";
import type { AbVerdict, InterleavingVerdict, ShadowComparison } from "@/lib/releases/types";
import { api, errorText } from "@/lib/ui/api";
import { GUARD_TITLES } from "./guard-panel";

// What each mode concludes: A/B verdicts per metric (Holm-adjusted across candidates), the shadow run's paired
// comparison on real requests, and the interleaving sign test.

const VERDICT_STYLE: Record<AbVerdict["verdict"], string> = {
  better: "bg-emerald-100 text-emerald-800",
  worse: "bg-red-100 text-red-800",
  "no detectable difference": "bg-slate-100 text-slate-600",
  "too few calls": "bg-slate-50 text-slate-400",
};

function difference(metric: AbVerdict["metric"], value: number | null): string {
  if (metric === "latency") return formatDuration(value, { signed: true });
  if (metric === "costPer1000") return formatMoney(value, { signed: true });
  if (metric === "feedback") return formatNumber(value, 3, { signed: true });
  return formatPercent(value, 1, { signed: true }).replace("%", " pp");
}

const p = (value: number | null) => (value === null ? "—" : value < 0.0001 ? "< 0.0001" : formatNumber(value, 4));

export function AbVerdicts(props: { verdicts: AbVerdict[] }) {
  if (props.verdicts.every((row) => row.verdict === "too few calls")) {
    return <p className="text-sm text-slate-500" data-testid="ab-empty">Verdicts per metric (error rate, latency, pass rate, feedback, cost) appear once every arm has enough calls.</p>;
  }
  return (
    <table className="w-full text-sm" data-testid="ab-verdicts">
      <thead className="border-b border-slate-200 text-left text-xs font-medium text-slate-500">
        <tr>
          <th className="py-2 pr-3">Arm vs stable</th>
          <th className="px-3 py-2">Metric</th>
          <th className="px-3 py-2 text-right">Difference (95 % interval)</th>
          <th className="px-3 py-2 text-right">p</th>
          <th className="px-3 py-2 text-right">Holm-adjusted p</th>
          <th className="px-3 py-2">Verdict</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {props.verdicts.map((row) => (
          <tr key={`${row.arm}-${row.metric}`} data-testid="ab-row" data-arm={row.arm} data-metric={row.metric}>
            <td className="py-1.5 pr-3 font-medium text-slate-800">{row.arm}</td>
            <td className="px-3 py-1.5 text-slate-700">{row.metric === "costPer1000" ? "Cost / 1,000 calls" : GUARD_TITLES[row.metric]}</td>
            <td className="px-3 py-1.5 text-right tabular-nums">
              {difference(row.metric, row.difference.value)}
              {row.difference.low !== null && <span className="ml-1 text-xs text-slate-400">({difference(row.metric, row.difference.low)} – {difference(row.metric, row.difference.high)})</span>}
            </td>
            <td className="px-3 py-1.5 text-right tabular-nums text-slate-600">{p(row.pValue)}</td>
            <td className="px-3 py-1.5 text-right tabular-nums text-slate-800">{p(row.adjustedPValue)}</td>
            <td className="px-3 py-1.5"><span className={`badge ${VERDICT_STYLE[row.verdict]}`}>{row.verdict}</span></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ShadowSummary(props: { releaseId: string; shadow: ShadowComparison | null }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shadow = props.shadow;

  async function open() {
    setBusy(true);
    setError(null);
    try {
      const { url } = await api<{ url: string }>(`/api/releases/${props.releaseId}/shadow-comparison`, { body: {} });
      window.location.assign(url);
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  }

  return (
    <div className="space-y-2 text-sm" data-testid="shadow-summary">
      {shadow ? (
        <>
          <p className="font-medium text-slate-800">{shadow.verdict}</p>
          <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-xs sm:grid-cols-4">
            <div><dt className="text-slate-500">Paired requests</dt><dd className="tabular-nums text-slate-800">{formatCount(shadow.pairs)} ({formatCount(shadow.scoredPairs)} scored)</dd></div>
            <div><dt className="text-slate-500">Only candidate passed / only stable</dt><dd className="tabular-nums text-slate-800">{formatCount(shadow.candidateOnly)} / {formatCount(shadow.stableOnly)} · p {p(shadow.pValue)}</dd></div>
            <div><dt className="text-slate-500">Score difference</dt><dd className="tabular-nums text-slate-800">{formatNumber(shadow.scoreDifference.value, 3, { signed: true })}{shadow.scoreDifference.low !== null && ` (${formatNumber(shadow.scoreDifference.low, 3, { signed: true })} – ${formatNumber(shadow.scoreDifference.high, 3, { signed: true })})`}</dd></div>
            <div><dt className="text-slate-500">Latency shift</dt><dd className="tabular-nums text-slate-800">{formatDuration(shadow.latencyShiftMs.value, { signed: true })}</dd></div>
          </dl>
        </>
      ) : (
        <p className="text-slate-500">No paired outputs yet: the candidate runs in the background on the sampled requests.</p>
      )}
      {/* the comparison needs pairs: the route refuses a release without shadow calls */}
      {shadow !== null && shadow.pairs > 0 && (
        <button className="btn" onClick={open} disabled={busy} data-testid="shadow-open-compare">{busy ? "Opening…" : "Open in compare"}</button>
      )}
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
    </div>
  );
}

export function InterleavingSummary(props: { verdict: InterleavingVerdict | null }) {
  const verdict = props.verdict;
  if (!verdict) return <p className="text-sm text-slate-500" data-testid="interleaving">No interactions yet: applications report picks to POST /interactions with the call id.</p>;
  return (
    <div className="space-y-1 text-sm" data-testid="interleaving">
      <p className="font-medium text-slate-800">{verdict.verdict}</p>
      <p className="text-xs tabular-nums text-slate-600">
        {formatCount(verdict.requests)} requests, {formatCount(verdict.withPreference)} with a preference: candidate {formatCount(verdict.candidateWins)}, stable {formatCount(verdict.stableWins)} · sign test p {p(verdict.pValue)}
      </p>
    </div>
  );
}
