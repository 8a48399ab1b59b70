"use client";
import { useMemo, useRef, useState } from "react";
import type { CompareVariant, EcdfSeries } from "@/lib/compare/types";
import { formatDuration, formatPercent } from "@/lib/format";
import { logTicks, niceTicks } from "./axis";
import { variantColor } from "./palette";

// Latency distributions overlaid as empirical CDFs: for any latency on the x axis, the share of calls at or under
// it. A curve further left is faster; where the curves cross, one variant is faster typically but slower in the tail.

const WIDTH = 640;
const HEIGHT = 280;
const MARGIN = { top: 12, right: 16, bottom: 36, left: 44 };

function shareAt(series: EcdfSeries, x: number): number {
  let low = 0;
  let high = series.x.length - 1;
  if (high < 0 || x < (series.x[0] as number)) return 0;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((series.x[middle] as number) <= x) low = middle;
    else high = middle - 1;
  }
  return series.y[low] as number;
}

export function EcdfPlot(props: {
  series: EcdfSeries[];
  /** the compare screen's variants, or any series with an id and a short name (the release page's arms) */
  variants: Pick<CompareVariant, "id" | "letter">[];
  /** ids to draw emphasized; the others are drawn thin */
  highlight: string[];
  title: string;
  testId?: string;
}) {
  const [logScale, setLogScale] = useState(false);
  const [hoverX, setHoverX] = useState<number | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const drawn = props.series.filter((series) => series.x.length > 0);

  const domain = useMemo(() => {
    const all = drawn.flatMap((series) => series.x);
    if (all.length === 0) return null;
    const minimum = Math.max(Math.min(...all), 0.1);
    // The last 1 % is cut on the linear scale so one timeout does not squash every curve to the left.
    const p99s = drawn.map((series) => series.x[Math.min(series.x.length - 1, Math.floor(series.y.findIndex((share) => share >= 0.99)))] ?? Math.max(...series.x));
    const maximum = logScale ? Math.max(...all) : Math.max(...p99s) * 1.05;
    return { minimum: logScale ? minimum : 0, maximum: Math.max(maximum, minimum * 1.01) };
  }, [drawn, logScale]);

  if (!domain) {
    return <div className="flex h-40 items-center justify-center text-sm text-slate-500">No measured calls to plot (errors and cached answers are left out).</div>;
  }
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const scaleX = (value: number): number => {
    const clamped = Math.min(Math.max(value, domain.minimum), domain.maximum);
    const share = logScale ? (Math.log(clamped) - Math.log(domain.minimum)) / (Math.log(domain.maximum) - Math.log(domain.minimum)) : (clamped - domain.minimum) / (domain.maximum - domain.minimum);
    return MARGIN.left + share * innerWidth;
  };
  const invertX = (pixel: number): number => {
    const share = (pixel - MARGIN.left) / innerWidth;
    return logScale ? Math.exp(Math.log(domain.minimum) + share * (Math.log(domain.maximum) - Math.log(domain.minimum))) : domain.minimum + share * (domain.maximum - domain.minimum);
  };
  const scaleY = (share: number): number => MARGIN.top + (1 - share) * innerHeight;
  const ticks = logScale ? logTicks(domain.minimum, domain.maximum) : niceTicks(domain.minimum, domain.maximum, 6);
  const indexOf = new Map(props.variants.map((variant, index) => [variant.id, index]));

  function path(series: EcdfSeries): string {
    let d = `M ${scaleX(series.x[0] as number).toFixed(1)} ${scaleY(0).toFixed(1)}`;
    let previousY = 0;
    series.x.forEach((value, index) => {
      const x = scaleX(value).toFixed(1);
      d += ` L ${x} ${scaleY(previousY).toFixed(1)} L ${x} ${scaleY(series.y[index] as number).toFixed(1)}`;
      previousY = series.y[index] as number;
    });
    return `${d} L ${scaleX(domain!.maximum).toFixed(1)} ${scaleY(previousY).toFixed(1)}`;
  }

  function onMove(event: React.MouseEvent<SVGSVGElement>) {
    const svg = svgRef.current;
    if (!svg) return;
    const box = svg.getBoundingClientRect();
    const pixel = ((event.clientX - box.left) / box.width) * WIDTH;
    setHoverX(pixel < MARGIN.left || pixel > WIDTH - MARGIN.right ? null : invertX(pixel));
  }

  const ordered = [...drawn].sort((left, right) => Number(props.highlight.includes(left.variantId)) - Number(props.highlight.includes(right.variantId)));
  return (
    <div data-testid={props.testId}>
      <div className="mb-1 flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-800">{props.title}</h3>
        <div className="flex overflow-hidden rounded-md border border-slate-200 text-xs">
          {([false, true] as const).map((option) => (
            <button key={String(option)} onClick={() => setLogScale(option)} className={`px-2 py-0.5 ${logScale === option ? "bg-slate-800 text-white" : "bg-white text-slate-600 hover:bg-slate-50"}`}>
              {option ? "log" : "linear"}
            </button>
          ))}
        </div>
      </div>
      <svg ref={svgRef} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full select-none" role="img" aria-label={props.title} onMouseMove={onMove} onMouseLeave={() => setHoverX(null)}>
        {[0, 0.25, 0.5, 0.75, 0.95, 1].map((share) => (
          <g key={share}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={scaleY(share)} y2={scaleY(share)} stroke={share === 0.5 || share === 0.95 ? "#cbd5e1" : "#f1f5f9"} strokeDasharray={share === 0.5 || share === 0.95 ? "3 3" : undefined} />
            <text x={MARGIN.left - 6} y={scaleY(share) + 3} textAnchor="end" className="fill-slate-500" fontSize={10}>
              {share === 0.5 ? "p50" : share === 0.95 ? "p95" : `${share * 100}%`}
            </text>
          </g>
        ))}
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={scaleX(tick)} x2={scaleX(tick)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} stroke="#f1f5f9" />
            <text x={scaleX(tick)} y={HEIGHT - MARGIN.bottom + 14} textAnchor="middle" className="fill-slate-500" fontSize={10}>
              {formatDuration(tick)}
            </text>
          </g>
        ))}
        <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={HEIGHT - MARGIN.bottom} y2={HEIGHT - MARGIN.bottom} stroke="#94a3b8" />
        <text x={MARGIN.left + innerWidth / 2} y={HEIGHT - 4} textAnchor="middle" className="fill-slate-500" fontSize={10}>
          {logScale ? "ms (log scale)" : "ms (cut at the slowest p99)"} — share of calls at or under
        </text>
        {ordered.map((series) => {
          const emphasized = props.highlight.includes(series.variantId);
          return (
            <path
              key={series.variantId}
              d={path(series)}
              fill="none"
              stroke={variantColor(indexOf.get(series.variantId) ?? 0)}
              strokeWidth={emphasized ? 2 : 1}
              strokeOpacity={emphasized ? 1 : 0.35}
              data-testid="ecdf-line"
            />
          );
        })}
        {hoverX !== null && (
          <g pointerEvents="none">
            <line x1={scaleX(hoverX)} x2={scaleX(hoverX)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} stroke="#64748b" strokeDasharray="2 2" />
            <rect x={Math.min(scaleX(hoverX) + 6, WIDTH - 150)} y={MARGIN.top + 4} width={140} height={16 + 14 * drawn.length} rx={4} fill="white" stroke="#e2e8f0" />
            <text x={Math.min(scaleX(hoverX) + 12, WIDTH - 144)} y={MARGIN.top + 17} fontSize={10} className="fill-slate-700" fontWeight={600}>
              ≤ {formatDuration(hoverX)}
            </text>
            {drawn.map((series, row) => {
              const index = indexOf.get(series.variantId) ?? 0;
              return (
                <text key={series.variantId} x={Math.min(scaleX(hoverX) + 12, WIDTH - 144)} y={MARGIN.top + 31 + 14 * row} fontSize={10} fill={variantColor(index)}>
                  {props.variants[index]?.letter}: {formatPercent(shareAt(series, hoverX))} of calls
                </text>
              );
            })}
          </g>
        )}
      </svg>
    </div>
  );
}
