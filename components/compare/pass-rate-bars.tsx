import type { CompareVariant, VariantStats } from "@/lib/compare/types";
import { formatPercent } from "@/lib/format";
import { variantColor } from "./palette";

// Pass rate per variant as bars with their 95 % interval as whiskers: overlapping whiskers alone do not prove
// "no difference" (the paired test above decides that), but they show how much each figure could move.

const WIDTH = 520;
const ROW = 30;
const LEFT = 150;
const RIGHT = 64;

export function PassRateBars({ variants, stats, highlight }: { variants: CompareVariant[]; stats: VariantStats[]; highlight: string[] }) {
  const rows = variants.map((variant, index) => ({ variant, index, passRate: stats[index]?.passRate ?? null }));
  if (rows.every((row) => row.passRate === null)) {
    return <div className="flex h-24 items-center justify-center text-sm text-slate-500">No graded results: these variants have no assertions.</div>;
  }
  const height = rows.length * ROW + 28;
  const inner = WIDTH - LEFT - RIGHT;
  const x = (share: number) => LEFT + share * inner;
  return (
    <svg viewBox={`0 0 ${WIDTH} ${height}`} className="h-auto w-full" role="img" aria-label="Pass rate per variant with 95 % intervals" data-testid="pass-rate-bars">
      {[0, 0.25, 0.5, 0.75, 1].map((tick) => (
        <g key={tick}>
          <line x1={x(tick)} x2={x(tick)} y1={4} y2={height - 22} stroke="#f1f5f9" />
          <text x={x(tick)} y={height - 8} textAnchor="middle" fontSize={10} className="fill-slate-500">
            {tick * 100}%
          </text>
        </g>
      ))}
      {rows.map(({ variant, index, passRate }, row) => {
        const y = 6 + row * ROW;
        const dim = highlight.length > 0 && !highlight.includes(variant.id);
        return (
          <g key={variant.id} opacity={dim ? 0.45 : 1}>
            <text x={LEFT - 8} y={y + 14} textAnchor="end" fontSize={11} className="fill-slate-700">
              {variant.letter} · {variant.label.length > 18 ? `${variant.label.slice(0, 17)}…` : variant.label}
            </text>
            {passRate ? (
              <>
                <rect x={x(0)} y={y + 4} width={Math.max(0, x(passRate.estimate) - x(0))} height={ROW - 12} rx={2} fill={variantColor(index)} fillOpacity={0.75} />
                <line x1={x(passRate.low)} x2={x(passRate.high)} y1={y + ROW / 2 - 1} y2={y + ROW / 2 - 1} stroke="#0f172a" strokeWidth={1.5} />
                <line x1={x(passRate.low)} x2={x(passRate.low)} y1={y + 8} y2={y + ROW - 10} stroke="#0f172a" strokeWidth={1.5} />
                <line x1={x(passRate.high)} x2={x(passRate.high)} y1={y + 8} y2={y + ROW - 10} stroke="#0f172a" strokeWidth={1.5} />
                <text x={WIDTH - RIGHT + 8} y={y + 14} fontSize={11} fontWeight={600} className="fill-slate-800">
                  {formatPercent(passRate.estimate)}
                </text>
              </>
            ) : (
              <text x={x(0) + 4} y={y + 14} fontSize={11} className="fill-slate-400">
                not graded
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
