"use client";
import Link from "next/link";
import { wilsonInterval } from "@/lib/stats/intervals";
import { formatCount, formatDuration, formatMoney, formatPercent } from "@/lib/format";
import { letterColor, variantLetters } from "./variant-editor";
import type { VariantRecord } from "./types";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

function PassRate({ passed, done }: { passed: number; done: number }) {
  if (done === 0) return <span className="text-slate-400">—</span>;
  const rate = passed / done;
  const interval = wilsonInterval(passed, done);
  return (
    <div className="min-w-32">
      <div className="flex items-baseline justify-between gap-2">
        <span className="font-semibold tabular-nums" data-testid="pass-rate">{formatPercent(rate)}</span>
        <span className="text-[11px] tabular-nums text-slate-400" title="95 % Wilson interval">{formatPercent(interval.low, 0)}–{formatPercent(interval.high, 0)}</span>
      </div>
      <div className="relative mt-1 h-1.5 rounded-full bg-slate-200">
        <div className="absolute inset-y-0 rounded-full bg-emerald-200" style={{ left: `${interval.low * 100}%`, width: `${(interval.high - interval.low) * 100}%` }} />
        <div className="absolute inset-y-0 left-0 rounded-full bg-emerald-500" style={{ width: `${rate * 100}%`, opacity: 0.85 }} />
      </div>
    </div>
  );
}

/** One row per variant: pass rate (with its interval), score, latency and TTFT percentiles, tokens and cost. */
export function VariantSummaryTable(props: { runId: string; variants: VariantRecord[]; /** no links to the compare screen (a share link's view) */ readOnly?: boolean }) {
  const inWorkspace = useWorkspacePath();
  const canCompare = props.variants.length >= 2 && !props.readOnly;
  return (
    <div className="card overflow-x-auto">
      <table className="w-full text-sm" data-testid="variant-summary">
        <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
          <tr>
            <th className="px-4 py-2">Variant</th>
            <th className="px-3 py-2">Pass rate</th>
            <th className="px-3 py-2 text-right" title="passed / failed / errors">Pass · fail · error</th>
            <th className="px-3 py-2 text-right">Mean score</th>
            <th className="px-3 py-2 text-right" title="Total latency, cached answers excluded">Latency p50 / p95</th>
            <th className="px-3 py-2 text-right" title="Time to first token, cached answers excluded">TTFT p50 / p95</th>
            <th className="px-3 py-2 text-right">Tokens in / out</th>
            <th className="px-3 py-2 text-right">Cost</th>
            <th className="px-3 py-2 text-right">Cached · retries</th>
            {canCompare && <th className="px-3 py-2" />}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {props.variants.map((variant, index) => {
            const summary = variant.summary;
            const other = props.variants[index === 0 ? 1 : 0];
            return (
              <tr key={variant.id} className="align-top" data-testid="variant-summary-row">
                <td className="px-4 py-2.5">
                  <div className="flex items-start gap-2">
                    <span className={`mt-0.5 flex h-5 w-5 shrink-0 items-center justify-center rounded text-[11px] font-bold text-white ${letterColor(index)}`}>{variantLetters[index] ?? index + 1}</span>
                    <div className="min-w-0">
                      <div className="max-w-72 truncate font-medium" title={variant.label}>{variant.label}</div>
                      <div className="max-w-72 truncate text-xs text-slate-500">
                        {variant.promptName ? `${variant.promptName}${variant.versionNumber ? ` v${variant.versionNumber}` : ""}` : "draft prompt"} · {variant.connectionName ?? variant.target?.baseURL ?? "—"} · <span className="font-mono">{variant.model}</span>
                      </div>
                    </div>
                  </div>
                </td>
                <td className="px-3 py-2.5"><PassRate passed={summary.passed} done={summary.done} /></td>
                <td className="px-3 py-2.5 text-right tabular-nums">
                  <span className="text-emerald-700">{formatCount(summary.passed)}</span>
                  <span className="text-slate-300"> · </span>
                  <span className="text-amber-700">{formatCount(summary.failed)}</span>
                  <span className="text-slate-300"> · </span>
                  <span className={summary.errors > 0 ? "text-red-600" : "text-slate-400"}>{formatCount(summary.errors)}</span>
                  <div className="text-[11px] text-slate-400">{formatCount(summary.done)} / {formatCount(summary.total)} done</div>
                </td>
                <td className="px-3 py-2.5 text-right tabular-nums">{summary.meanScore === null ? "—" : summary.meanScore.toFixed(3)}</td>
                <td className="px-3 py-2.5 text-right tabular-nums">{formatDuration(summary.latencyMs.p50)} <span className="text-slate-400">/ {formatDuration(summary.latencyMs.p95)}</span></td>
                <td className="px-3 py-2.5 text-right tabular-nums">{formatDuration(summary.ttftMs.p50)} <span className="text-slate-400">/ {formatDuration(summary.ttftMs.p95)}</span></td>
                <td className="px-3 py-2.5 text-right tabular-nums">{formatCount(summary.inputTokens)} <span className="text-slate-400">/ {formatCount(summary.outputTokens)}</span></td>
                <td className="px-3 py-2.5 text-right tabular-nums" title={summary.totalCost === null ? "A price of this model is unknown: set it on the connection" : undefined}>{formatMoney(summary.totalCost)}</td>
                <td className="px-3 py-2.5 text-right tabular-nums text-slate-600">{formatCount(summary.cached)} · {formatCount(summary.retries)}</td>
                {canCompare && (
                  <td className="px-3 py-2.5 text-right">
                    {other && (
                      <Link href={inWorkspace(`/compare?run=${props.runId}&a=${variant.id}&b=${other.id}`)} className="whitespace-nowrap text-xs font-medium text-brand-700 hover:underline">
                        vs {variantLetters[props.variants.indexOf(other)]} ⇄
                      </Link>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
