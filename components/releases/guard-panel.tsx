import { formatDuration, formatNumber, formatPercent } from "@/lib/format";
import type { GuardName, GuardStatus, SrmStatus } from "@/lib/releases/types";

// Guard status as the monitor sees it: the candidate − stable estimate with its interval, the tolerated worsening,
// and the always-valid evidence (mSPRT log likelihood ratio) against its bound log(1/alpha) — the bar fills as the
// evidence of harm grows and the guard breaches when it reaches the end.

export const GUARD_TITLES: Record<GuardName, string> = {
  errorRate: "Error rate",
  latency: "Latency (HL shift)",
  passRate: "Online pass rate",
  feedback: "Feedback score",
};

const STATUS_STYLE: Record<GuardStatus["status"] | "off", string> = {
  waiting: "bg-slate-100 text-slate-600",
  pass: "bg-emerald-100 text-emerald-800",
  breach: "bg-red-100 text-red-800",
  off: "bg-slate-50 text-slate-400",
};

/** A guard's figure in its unit: ms for latency, a score for feedback, percentage points for shares. */
export function guardValue(guard: Pick<GuardStatus, "name">, number: number | null, signed = true): string {
  if (guard.name === "latency") return formatDuration(number, { signed });
  if (guard.name === "feedback") return formatNumber(number, 3, { signed });
  return formatPercent(number, 1, { signed }).replace("%", " pp");
}

export function EvidenceBar(props: { evidence: number; bound: number; breach: boolean }) {
  const share = props.bound > 0 ? Math.min(1, Math.max(0, props.evidence / props.bound)) : 0;
  return (
    <div className="w-40" title={`evidence ${formatNumber(props.evidence, 2)} of bound ${formatNumber(props.bound, 2)} (log likelihood ratio)`}>
      <div className="h-2 overflow-hidden rounded-full bg-slate-100" role="meter" aria-valuemin={0} aria-valuemax={props.bound} aria-valuenow={Math.max(0, props.evidence)} aria-label="Evidence against the bound">
        <div className={`h-full ${props.breach ? "bg-red-500" : share > 0.66 ? "bg-amber-500" : "bg-brand-500"}`} style={{ width: `${share * 100}%` }} />
      </div>
      <div className="mt-0.5 text-[11px] tabular-nums text-slate-500">{formatNumber(props.evidence, 2)} / {formatNumber(props.bound, 2)}</div>
    </div>
  );
}

export function GuardPanel(props: { guards: GuardStatus[] }) {
  if (props.guards.length === 0) return <p className="px-4 py-4 text-sm text-slate-500" data-testid="guards-empty">Guards start checking with the first calls on both arms.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="guards-table">
        <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
          <tr>
            <th className="px-4 py-2">Guard</th>
            <th className="px-3 py-2">Status</th>
            <th className="px-3 py-2 text-right">Candidate − stable</th>
            <th className="px-3 py-2 text-right">Tolerated</th>
            <th className="px-3 py-2">Sequential evidence</th>
            <th className="px-4 py-2">Why</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {props.guards.map((guard) => {
            const status = guard.enabled ? guard.status : "off";
            return (
              <tr key={`${guard.name}-${guard.arm}`} className="align-top" data-testid="guard-row" data-guard={guard.name} data-status={status}>
                <td className="px-4 py-2 font-medium text-slate-800">
                  {GUARD_TITLES[guard.name]}
                  {guard.arm !== "candidate" && <span className="block text-xs font-normal text-slate-500">{guard.arm}</span>}
                </td>
                <td className="px-3 py-2"><span className={`badge ${STATUS_STYLE[status]}`}>{status}</span></td>
                <td className="px-3 py-2 text-right tabular-nums">
                  {guardValue(guard, guard.estimate)}
                  {guard.interval.low !== null && guard.interval.high !== null && (
                    <span className="block text-[11px] text-slate-400">{guardValue(guard, guard.interval.low)} – {guardValue(guard, guard.interval.high)}</span>
                  )}
                </td>
                <td className="px-3 py-2 text-right tabular-nums text-slate-600">{guardValue(guard, Math.abs(guard.threshold), false)}</td>
                <td className="px-3 py-2">{guard.enabled ? <EvidenceBar evidence={guard.evidence} bound={guard.bound} breach={guard.status === "breach"} /> : <span className="text-xs text-slate-400">off</span>}</td>
                <td className="max-w-xs px-4 py-2 text-xs text-slate-600">
                  {guard.message}
                  {guard.enabled && <span className="block text-[11px] text-slate-400">alpha {formatNumber(guard.alpha, 4)}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const SRM_STYLE: Record<SrmStatus["status"], string> = {
  waiting: "bg-slate-100 text-slate-600",
  ok: "bg-emerald-100 text-emerald-800",
  mismatch: "bg-red-100 text-red-800",
};

export function SrmPanel(props: { srm: SrmStatus }) {
  const { srm } = props;
  const arms = [...new Set([...Object.keys(srm.expected), ...Object.keys(srm.observed)])];
  const expectedTotal = Object.values(srm.expected).reduce((sum, count) => sum + count, 0);
  const observedTotal = Object.values(srm.observed).reduce((sum, count) => sum + count, 0);
  return (
    <div className="space-y-2 text-sm" data-testid="srm" data-status={srm.status}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium text-slate-800">Sample ratio</span>
        <span className={`badge ${SRM_STYLE[srm.status]}`}>{srm.status === "ok" ? "as planned" : srm.status}</span>
        {srm.pValue !== null && <span className="text-xs tabular-nums text-slate-500">χ² {formatNumber(srm.chiSquare, 2)} · p = {formatNumber(srm.pValue, 4)} (pauses below 0.001)</span>}
      </div>
      <p className="text-xs text-slate-600">{srm.message}</p>
      {arms.length > 0 && observedTotal > 0 && (
        <div className="flex flex-wrap gap-4 text-xs tabular-nums text-slate-600">
          {arms.map((arm) => (
            <span key={arm}>
              {arm}: {formatPercent(observedTotal ? (srm.observed[arm] ?? 0) / observedTotal : null)} observed vs {formatPercent(expectedTotal ? (srm.expected[arm] ?? 0) / expectedTotal : null)} planned
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
