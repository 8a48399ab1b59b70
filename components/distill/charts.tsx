"use client";
import { niceTicks } from "@/components/compare/axis";
import { variantColor } from "@/components/compare/palette";
import type { CurvePoint, LossPoint } from "@/lib/distill/types";
import { formatCount, formatNumber, formatPercent } from "@/lib/format";

// The distillation page's two hand-drawn SVG charts, in the compare screen's style (components/compare/ecdf-plot.tsx):
// the training loss per epoch (train and held-out), and the cascade's coverage–agreement curve with the picked point.

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 16, bottom: 36, left: 48 };
const INNER_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const INNER_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;

function linePath(points: [number, number][]): string {
  return points.map(([x, y], index) => `${index === 0 ? "M" : "L"} ${x.toFixed(1)} ${y.toFixed(1)}`).join(" ");
}

const LOSS_WIDTH = 960;
const LOSS_HEIGHT = 220;
const LOSS_INNER_WIDTH = LOSS_WIDTH - MARGIN.left - MARGIN.right;
const LOSS_INNER_HEIGHT = LOSS_HEIGHT - MARGIN.top - MARGIN.bottom;

export function LossChart(props: { loss: LossPoint[]; live: boolean }) {
  if (props.loss.length === 0) {
    return (
      <div className="flex h-40 items-center justify-center text-sm text-slate-500" data-testid="loss-chart-empty">
        {props.live ? "Waiting for the first epoch…" : "No loss recorded."}
      </div>
    );
  }
  const steps = props.loss.map((point) => point.step);
  const values = props.loss.flatMap((point) => (point.heldOutLoss === undefined ? [point.loss] : [point.loss, point.heldOutLoss]));
  const minX = Math.min(...steps);
  const maxX = Math.max(Math.max(...steps), minX + 1);
  const maxY = Math.max(...values) * 1.05 || 1;
  const scaleX = (step: number) => MARGIN.left + ((step - minX) / (maxX - minX)) * LOSS_INNER_WIDTH;
  const scaleY = (value: number) => MARGIN.top + (1 - value / maxY) * LOSS_INNER_HEIGHT;
  const train = linePath(props.loss.map((point) => [scaleX(point.step), scaleY(point.loss)]));
  const heldOutPoints = props.loss.filter((point) => point.heldOutLoss !== undefined);
  const heldOut = heldOutPoints.length > 0 ? linePath(heldOutPoints.map((point) => [scaleX(point.step), scaleY(point.heldOutLoss as number)])) : null;
  const last = props.loss.at(-1) as LossPoint;
  // a classifier records one point per epoch (step = epoch); an lm student one per optimizer step
  const perEpoch = props.loss.every((point) => point.step === point.epoch);
  return (
    <div data-testid="loss-chart" data-points={props.loss.length}>
      <div className="mb-1 flex flex-wrap items-center gap-3 text-xs text-slate-600">
        <span className="flex items-center gap-1"><span className="inline-block h-0.5 w-4" style={{ background: variantColor(0) }} />training loss</span>
        {heldOut && <span className="flex items-center gap-1"><span className="inline-block h-0.5 w-4" style={{ background: variantColor(1) }} />held-out loss</span>}
        <span className="ml-auto tabular-nums">
          epoch {formatCount(last.epoch)} · loss {formatNumber(last.loss, 3)}
          {last.heldOutLoss !== undefined && ` · held-out ${formatNumber(last.heldOutLoss, 3)}`}
        </span>
      </div>
      <svg viewBox={`0 0 ${LOSS_WIDTH} ${LOSS_HEIGHT}`} className="h-auto w-full select-none" role="img" aria-label="Training loss">
        {niceTicks(0, maxY, 4).map((tick) => (
          <g key={tick}>
            <line x1={MARGIN.left} x2={LOSS_WIDTH - MARGIN.right} y1={scaleY(tick)} y2={scaleY(tick)} stroke="#f1f5f9" />
            <text x={MARGIN.left - 6} y={scaleY(tick) + 3} textAnchor="end" className="fill-slate-500" fontSize={10}>{formatNumber(tick, 2)}</text>
          </g>
        ))}
        {niceTicks(minX, maxX, 6).map((tick) => (
          <text key={tick} x={scaleX(tick)} y={LOSS_HEIGHT - MARGIN.bottom + 14} textAnchor="middle" className="fill-slate-500" fontSize={10}>{formatCount(tick)}</text>
        ))}
        <line x1={MARGIN.left} x2={LOSS_WIDTH - MARGIN.right} y1={LOSS_HEIGHT - MARGIN.bottom} y2={LOSS_HEIGHT - MARGIN.bottom} stroke="#94a3b8" />
        <text x={MARGIN.left + LOSS_INNER_WIDTH / 2} y={LOSS_HEIGHT - 4} textAnchor="middle" className="fill-slate-500" fontSize={10}>{perEpoch ? "epoch" : "training step"}</text>
        {heldOut && <path d={heldOut} fill="none" stroke={variantColor(1)} strokeWidth={1.5} strokeDasharray="4 3" data-testid="loss-line-held-out" />}
        <path d={train} fill="none" stroke={variantColor(0)} strokeWidth={2} data-testid="loss-line" />
      </svg>
    </div>
  );
}

/** Share answered by the student (x) against the cascade's agreement with the teacher (y); the picked point marked. */
export function CoverageCurve(props: { curve: CurvePoint[]; picked: CurvePoint | null; target: number | null }) {
  if (props.curve.length === 0) return <div className="flex h-40 items-center justify-center text-sm text-slate-500">No curve: the student has no confidence to threshold.</div>;
  const lowest = Math.min(...props.curve.map((point) => point.agreement), props.target ?? 1);
  const minY = Math.max(0, Math.floor((lowest - 0.02) * 20) / 20);
  const scaleX = (coverage: number) => MARGIN.left + coverage * INNER_WIDTH;
  const scaleY = (agreement: number) => MARGIN.top + (1 - (agreement - minY) / (1 - minY)) * INNER_HEIGHT;
  const ordered = [...props.curve].sort((left, right) => left.coverage - right.coverage || right.agreement - left.agreement);
  const d = linePath(ordered.map((point) => [scaleX(point.coverage), scaleY(point.agreement)]));
  return (
    <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full select-none" role="img" aria-label="Coverage against agreement" data-testid="coverage-curve" data-points={props.curve.length}>
      {niceTicks(minY, 1, 4).map((tick) => (
        <g key={tick}>
          <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={scaleY(tick)} y2={scaleY(tick)} stroke="#f1f5f9" />
          <text x={MARGIN.left - 6} y={scaleY(tick) + 3} textAnchor="end" className="fill-slate-500" fontSize={10}>{formatPercent(tick, 0)}</text>
        </g>
      ))}
      {[0, 0.25, 0.5, 0.75, 1].map((tick) => (
        <g key={tick}>
          <line x1={scaleX(tick)} x2={scaleX(tick)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} stroke="#f1f5f9" />
          <text x={scaleX(tick)} y={HEIGHT - MARGIN.bottom + 14} textAnchor="middle" className="fill-slate-500" fontSize={10}>{formatPercent(tick, 0)}</text>
        </g>
      ))}
      <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={HEIGHT - MARGIN.bottom} y2={HEIGHT - MARGIN.bottom} stroke="#94a3b8" />
      <text x={MARGIN.left + INNER_WIDTH / 2} y={HEIGHT - 4} textAnchor="middle" className="fill-slate-500" fontSize={10}>share answered by the student (coverage)</text>
      <text x={12} y={MARGIN.top + INNER_HEIGHT / 2} textAnchor="middle" className="fill-slate-500" fontSize={10} transform={`rotate(-90 12 ${MARGIN.top + INNER_HEIGHT / 2})`}>agreement with the teacher</text>
      {props.target !== null && props.target >= minY && (
        <g>
          <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={scaleY(props.target)} y2={scaleY(props.target)} stroke="#f59e0b" strokeDasharray="4 3" />
          <text x={WIDTH - MARGIN.right - 4} y={scaleY(props.target) - 4} textAnchor="end" fontSize={10} fill="#b45309">target {formatPercent(props.target, 1)}</text>
        </g>
      )}
      <path d={d} fill="none" stroke={variantColor(0)} strokeWidth={2} data-testid="coverage-line" />
      {ordered.map((point) => (
        <circle key={`${point.threshold}-${point.coverage}`} cx={scaleX(point.coverage)} cy={scaleY(point.agreement)} r={2} fill={variantColor(0)}>
          <title>{`threshold ${formatNumber(point.threshold, 2)}: student answers ${formatPercent(point.coverage)}, agreement ${formatPercent(point.agreement)}`}</title>
        </circle>
      ))}
      {props.picked && (
        <g data-testid="coverage-picked">
          <circle cx={scaleX(props.picked.coverage)} cy={scaleY(props.picked.agreement)} r={5} fill="white" stroke="#0f172a" strokeWidth={2} />
          <text x={Math.min(scaleX(props.picked.coverage) + 8, WIDTH - 150)} y={scaleY(props.picked.agreement) + 16} fontSize={10} className="fill-slate-800" fontWeight={600}>
            threshold {formatNumber(props.picked.threshold, 2)}
          </text>
        </g>
      )}
    </svg>
  );
}
