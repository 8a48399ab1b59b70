"use client";
import { EcdfPlot } from "@/components/compare/ecdf-plot";
import { variantColor } from "@/components/compare/palette";
import { formatCount, formatDuration, formatMoney, formatNumber, formatPercent } from "@/lib/format";
import type { ArmFigures, Interval, ReleaseFigures } from "@/lib/releases/types";

// Per-arm figures from the stored calls: the live split, counts per ring, the metrics with their intervals and the
// latency ECDF (the compare screen's plot). Colors follow the arm's position: stable blue, candidate orange.

function range(interval: Interval, format: (value: number | null) => string) {
  if (interval.low === null || interval.high === null) return null;
  return <span className="block text-[11px] text-slate-400">{format(interval.low)} – {format(interval.high)}</span>;
}

const percent = (value: number | null) => formatPercent(value);
const ms = (value: number | null) => formatDuration(value);

function Swatch({ index }: { index: number }) {
  return <span className="inline-block h-2.5 w-2.5 shrink-0 rounded-sm" style={{ background: variantColor(index) }} aria-hidden />;
}

export function LiveSplit(props: { figures: ReleaseFigures; shadow: boolean }) {
  const arms = props.figures.arms;
  const total = arms.reduce((sum, arm) => sum + arm.calls, 0);
  const anonymous = arms.reduce((sum, arm) => sum + arm.anonymous, 0);
  const ringArms = arms.map((arm) => arm.arm);
  return (
    <div className="space-y-3" data-testid="live-split">
      <div className="flex h-3 overflow-hidden rounded-full bg-slate-100" role="img" aria-label="Share of answering calls per arm">
        {total > 0 && arms.map((arm, index) => <div key={arm.arm} style={{ width: `${(arm.calls / total) * 100}%`, background: variantColor(index) }} title={`${arm.arm}: ${formatCount(arm.calls)}`} />)}
      </div>
      <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        {arms.map((arm, index) => (
          <div key={arm.arm} className="flex items-center gap-2" data-testid="arm-count" data-arm={arm.arm}>
            <Swatch index={index} />
            <span className="text-slate-600">{arm.arm} <span className="font-mono text-xs">v{arm.versionNumber}</span></span>
            <span className="font-semibold tabular-nums text-slate-900" data-testid="arm-calls">{formatCount(arm.calls)}</span>
            <span className="text-xs tabular-nums text-slate-500">{total > 0 ? formatPercent(arm.calls / total) : "—"} · {formatCount(arm.users)} users</span>
            {props.shadow && arm.shadowCalls > 0 && <span className="text-xs text-slate-500">+ {formatCount(arm.shadowCalls)} shadow</span>}
          </div>
        ))}
        {total === 0 && <span className="text-slate-500" data-testid="no-calls">No calls yet — the split shows here as soon as the gateway answers.</span>}
      </div>
      {anonymous > 0 && <p className="text-xs text-slate-500">{formatCount(anonymous)} calls without a user key were assigned per request (counted apart from the sticky split).</p>}
      {props.figures.rings.length > 0 && (
        <table className="w-full max-w-xl text-sm" data-testid="ring-counts">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th className="py-1 pr-3 font-medium">Ring</th>
              {ringArms.map((arm) => <th key={arm} className="px-3 py-1 text-right font-medium">{arm}</th>)}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {props.figures.rings.map((ring) => (
              <tr key={ring.ring} data-testid="ring-row" data-ring={ring.ring}>
                <td className="py-1 pr-3 text-slate-700">{ring.ring}</td>
                {ringArms.map((arm) => <td key={arm} className="px-3 py-1 text-right tabular-nums">{formatCount(ring.calls[arm] ?? 0)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ArmRow({ arm, index }: { arm: ArmFigures; index: number }) {
  return (
    <tr className="align-top" data-testid="arm-metrics" data-arm={arm.arm}>
      <td className="whitespace-nowrap px-4 py-2">
        <span className="flex items-center gap-2 font-medium text-slate-800"><Swatch index={index} />{arm.arm}</span>
        <span className="font-mono text-xs text-slate-500">v{arm.versionNumber}</span>
      </td>
      <td className="px-3 py-2 text-right tabular-nums" data-metric="calls">
        {formatCount(arm.calls)}
        <span className="block text-[11px] text-slate-400">{formatCount(arm.errors)} errors</span>
      </td>
      <td className="px-3 py-2 text-right tabular-nums" data-metric="errorRate">{percent(arm.errorRate.value)}{range(arm.errorRate, percent)}</td>
      <td className="px-3 py-2 text-right tabular-nums" data-metric="p50">{ms(arm.latencyMs.p50)}</td>
      <td className="px-3 py-2 text-right tabular-nums" data-metric="p95">{ms(arm.latencyMs.p95)}{range(arm.latencyMs.p95Interval, ms)}</td>
      <td className="px-3 py-2 text-right tabular-nums" data-metric="p99">{ms(arm.latencyMs.p99)}</td>
      <td className="px-3 py-2 text-right tabular-nums" data-metric="ttft">
        {ms(arm.ttftMs.p50)}
        <span className="block text-[11px] text-slate-400">p95 {ms(arm.ttftMs.p95)}</span>
      </td>
      <td className="px-3 py-2 text-right tabular-nums" data-metric="passRate">
        {arm.passRate ? (
          <>
            {percent(arm.passRate.value)}
            {range(arm.passRate, percent)}
            <span className="block text-[11px] text-slate-400">{formatCount(arm.passRate.passed)} of {formatCount(arm.passRate.scored)}</span>
          </>
        ) : "—"}
      </td>
      <td className="px-3 py-2 text-right tabular-nums" data-metric="feedback">
        {arm.feedback ? (
          <>
            {formatNumber(arm.feedback.value, 2)}
            {range(arm.feedback, (value) => formatNumber(value, 2))}
            <span className="block text-[11px] text-slate-400">{formatCount(arm.feedback.count)} ratings</span>
          </>
        ) : "—"}
      </td>
      <td className="px-4 py-2 text-right tabular-nums" data-metric="costPer1000">{formatMoney(arm.costPer1000)}</td>
    </tr>
  );
}

export function ArmMetrics(props: { figures: ReleaseFigures }) {
  const arms = props.figures.arms;
  if (arms.every((arm) => arm.calls === 0 && arm.shadowCalls === 0)) return <p className="px-4 py-6 text-sm text-slate-500" data-testid="arm-metrics-empty">No calls yet: error rate, latency, pass rate, feedback and cost per arm appear with the first calls.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="arm-metrics-table">
        <thead className="border-b border-slate-200 bg-slate-50 text-right text-xs font-medium text-slate-500">
          <tr>
            <th className="px-4 py-2 text-left">Arm</th>
            <th className="px-3 py-2">Calls</th>
            <th className="px-3 py-2">Error rate</th>
            <th className="px-3 py-2">p50</th>
            <th className="px-3 py-2">p95</th>
            <th className="px-3 py-2">p99</th>
            <th className="px-3 py-2">TTFT p50</th>
            <th className="px-3 py-2">Pass rate</th>
            <th className="px-3 py-2">Feedback</th>
            <th className="px-4 py-2">Cost / 1,000 calls</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {arms.map((arm, index) => <ArmRow key={arm.arm} arm={arm} index={index} />)}
        </tbody>
      </table>
      <p className="px-4 py-2 text-[11px] text-slate-400">Ranges under a figure are 95 % intervals (Wilson for shares). Latency counts answered calls only.</p>
    </div>
  );
}

export function LatencyEcdf(props: { figures: ReleaseFigures }) {
  const arms = props.figures.arms;
  const series = arms.map((arm) => ({ variantId: arm.arm, x: arm.latencyMs.ecdf.map(([value]) => value), y: arm.latencyMs.ecdf.map(([, share]) => share) }));
  return (
    <div data-testid="latency-ecdf">
      <EcdfPlot series={series} variants={arms.map((arm) => ({ id: arm.arm, letter: arm.arm }))} highlight={arms.map((arm) => arm.arm)} title="Latency per arm (ECDF)" />
      <div className="mt-1 flex gap-4 text-xs text-slate-600">
        {arms.map((arm, index) => <span key={arm.arm} className="flex items-center gap-1.5"><Swatch index={index} />{arm.arm} v{arm.versionNumber}</span>)}
      </div>
    </div>
  );
}
