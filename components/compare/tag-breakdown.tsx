import { formatPValue } from "@/lib/compare/verdict";
import { formatNumber, formatPercent } from "@/lib/format";
import type { Interval, TagRow } from "@/lib/compare/types";
import { variantColor } from "./palette";

// Pass rate of the two variants within each tag, as a small forest plot per row: where a change helps and where it
// hurts. p-values are Holm-adjusted across the tags, since testing many tags finds "differences" by chance.

function Dot({ interval, color, offset }: { interval: Interval | null; color: string; offset: number }) {
  if (!interval) return null;
  const x = (share: number) => 4 + share * 192;
  const hasInterval = Number.isFinite(interval.low) && Number.isFinite(interval.high);
  return (
    <g>
      {hasInterval && <line x1={x(interval.low)} x2={x(interval.high)} y1={9 + offset} y2={9 + offset} stroke={color} strokeWidth={1.5} />}
      <circle cx={x(interval.estimate)} cy={9 + offset} r={3.5} fill={color} />
    </g>
  );
}

export function TagBreakdown(props: { rows: TagRow[]; indexA: number; indexB: number; letterA: string; letterB: string; onPickTag?: (tag: string) => void }) {
  if (props.rows.length === 0) {
    return <p className="text-sm text-slate-500">No tags on these cases. Tag cases in the suite (for example by topic or difficulty) to see where a change helps or hurts.</p>;
  }
  return (
    <div className="max-h-80 overflow-auto" data-testid="tag-breakdown">
      <table className="w-full text-xs">
        <thead className="sticky top-0 bg-white text-left text-slate-500">
          <tr>
            <th className="py-1 pr-2 font-medium">Tag</th>
            <th className="py-1 pr-2 text-right font-medium">Cases</th>
            <th className="py-1 pr-2 text-right font-medium">{props.letterA}</th>
            <th className="py-1 pr-2 text-right font-medium">{props.letterB}</th>
            <th className="w-[200px] py-1 pr-2 font-medium">
              <span className="flex justify-between font-normal text-slate-400">
                <span>0%</span>
                <span>50%</span>
                <span>100%</span>
              </span>
            </th>
            <th className="py-1 pr-2 text-right font-medium">Δ</th>
            <th className="py-1 text-right font-medium">p (Holm)</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => {
            const significant = row.adjustedP !== null && row.adjustedP < 0.05;
            return (
              <tr key={row.tag} className="border-t border-slate-100">
                <td className="py-1 pr-2">
                  <button className="max-w-[160px] truncate font-mono text-slate-700 hover:text-brand-700 hover:underline" onClick={() => props.onPickTag?.(row.tag)} title={`Show the cases tagged ${row.tag}`}>
                    {row.tag}
                  </button>
                </td>
                <td className="py-1 pr-2 text-right tabular-nums text-slate-600">{row.cases}</td>
                <td className="py-1 pr-2 text-right tabular-nums">{formatPercent(row.passRateA?.estimate, 0)}</td>
                <td className="py-1 pr-2 text-right tabular-nums">{formatPercent(row.passRateB?.estimate, 0)}</td>
                <td className="py-1 pr-2">
                  <svg viewBox="0 0 200 18" className="h-[18px] w-[200px]">
                    <line x1={4} x2={196} y1={9} y2={9} stroke="#f1f5f9" />
                    <line x1={100} x2={100} y1={2} y2={16} stroke="#e2e8f0" />
                    <Dot interval={row.passRateA} color={variantColor(props.indexA)} offset={-3} />
                    <Dot interval={row.passRateB} color={variantColor(props.indexB)} offset={3} />
                  </svg>
                </td>
                <td className={`py-1 pr-2 text-right tabular-nums ${significant ? ((row.diff ?? 0) > 0 ? "font-semibold text-emerald-700" : "font-semibold text-red-700") : "text-slate-600"}`}>
                  {row.diff === null ? "—" : formatNumber(row.diff * 100, 1, { signed: true })}
                </td>
                <td className="py-1 text-right tabular-nums text-slate-600">{row.adjustedP === null ? "—" : formatPValue(row.adjustedP).replace("p ", "").replace("= ", "")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {props.rows.every((row) => row.pValue === null) && (
        <p className="mt-1 text-xs text-slate-500">Cases have repeats, so the per-tag figures are shares of repeats without a test; the overall comparison above is tested.</p>
      )}
    </div>
  );
}
