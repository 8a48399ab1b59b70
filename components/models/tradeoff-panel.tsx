"use client";
import { useState } from "react";
import { api, errorText } from "@/lib/ui/api";
import { formatBytes, formatNumber, formatPercent, formatRate, formatRelativeTime } from "@/lib/format";
import type { ModelFamily } from "@/lib/quantize/families";
import type { StoredTradeoffRow, TradeoffView } from "@/lib/quantize/tradeoff-service";
import { niceTicks } from "@/components/compare/axis";
import type { SuiteAgreementOptions } from "@/lib/quantize/suite-agreement";
import { SuiteAgreement } from "./suite-agreement";

// The trade-off of a model family (a base model and its <base>-<type> versions): what each version saves (size,
// bits per weight, tokens/s) against what it keeps (top-1 next-token agreement and KL divergence from the original
// over a held-out text). "Measure trade-off" computes and stores it; nothing here is a constant.

const WIDTH = 300;
const HEIGHT = 200;
const MARGIN = { top: 20, right: 24, bottom: 34, left: 48 };

function Scatter(props: { rows: StoredTradeoffRow[]; title: string; value: (row: StoredTradeoffRow) => number; format: (value: number) => string; testId: string; fixedMax?: number }) {
  const sizes = props.rows.map((row) => row.sizeBytes);
  const values = props.rows.map(props.value);
  const xMax = Math.max(...sizes) * 1.08;
  const yMin = props.fixedMax !== undefined ? Math.min(...values, props.fixedMax) - 0.05 * (props.fixedMax - Math.min(...values) || 1) : 0;
  const yMax = props.fixedMax ?? (Math.max(...values) * 1.15 || 1);
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (value: number) => MARGIN.left + (value / xMax) * innerWidth;
  const y = (value: number) => MARGIN.top + (1 - (value - yMin) / (yMax - yMin || 1)) * innerHeight;
  const xTicks = niceTicks(0, xMax, 4).filter((tick) => tick <= xMax);
  const yTicks = niceTicks(yMin, yMax, 4).filter((tick) => tick >= yMin && tick <= yMax);
  return (
    <figure className="min-w-0 flex-1" data-testid={props.testId}>
      <figcaption className="mb-1 text-xs font-medium text-slate-700">{props.title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full" role="img" aria-label={props.title}>
        {yTicks.map((tick) => (
          <g key={`y${tick}`}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} stroke="#f1f5f9" />
            <text x={MARGIN.left - 5} y={y(tick) + 3} textAnchor="end" fontSize={9} className="fill-slate-500">{props.format(tick)}</text>
          </g>
        ))}
        {xTicks.map((tick) => (
          <g key={`x${tick}`}>
            <line x1={x(tick)} x2={x(tick)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} stroke="#f1f5f9" />
            <text x={x(tick)} y={HEIGHT - MARGIN.bottom + 12} textAnchor="middle" fontSize={9} className="fill-slate-500">{formatBytes(tick)}</text>
          </g>
        ))}
        <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={HEIGHT - MARGIN.bottom} y2={HEIGHT - MARGIN.bottom} stroke="#94a3b8" />
        <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} stroke="#94a3b8" />
        <text x={MARGIN.left + innerWidth / 2} y={HEIGHT - 4} textAnchor="middle" fontSize={9} className="fill-slate-500">size on disk</text>
        {props.rows.map((row, index) => (
          <g key={row.name} data-testid="tradeoff-point" data-label={row.label}>
            <circle cx={x(row.sizeBytes)} cy={y(values[index]!)} r={4} fill={index === 0 ? "#0f172a" : "#0284c7"} />
            <text x={x(row.sizeBytes) + (index === 0 ? -6 : 6)} y={y(values[index]!) - 6} textAnchor={index === 0 ? "end" : "start"} fontSize={9} className="fill-slate-700">
              {row.label}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

function TradeoffTable({ view }: { view: TradeoffView }) {
  const original = view.rows[0]!;
  return (
    <table className="w-full text-sm" data-testid="tradeoff-table">
      <thead className="border-b border-slate-200 text-left text-xs text-slate-500">
        <tr>
          <th className="py-1.5 pr-3 font-medium">Model</th>
          <th className="px-3 py-1.5 text-right font-medium">Size</th>
          <th className="px-3 py-1.5 text-right font-medium">Bits/weight</th>
          <th className="px-3 py-1.5 text-right font-medium" title={`prompt processing, ${view.threads} thread${view.threads === 1 ? "" : "s"}`}>Prompt tok/s</th>
          <th className="px-3 py-1.5 text-right font-medium" title={`generation, ${view.threads} thread${view.threads === 1 ? "" : "s"}`}>Gen tok/s</th>
          <th className="px-3 py-1.5 text-right font-medium" title="share of held-out positions where the most likely next token is the original's">Top-1 agreement</th>
          <th className="py-1.5 pl-3 text-right font-medium" title="mean KL(original ‖ this) of the next-token distributions, nats per position">KL (nats)</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {view.rows.map((row, index) => (
          <tr key={row.name} data-testid="tradeoff-row" data-label={row.label}>
            <td className="py-1.5 pr-3">
              <span className="font-mono text-xs">{row.name}</span>{" "}
              <span className={`badge font-mono ${index === 0 ? "bg-slate-100 text-slate-700" : "bg-sky-50 text-sky-800"}`}>{row.label}</span>
            </td>
            <td className="whitespace-nowrap px-3 py-1.5 text-right tabular-nums" data-testid="tradeoff-size">
              {formatBytes(row.sizeBytes)}
              {index > 0 && <span className="ml-1 text-[11px] text-slate-500">{formatPercent(row.sizeBytes / original.sizeBytes, 0)}</span>}
            </td>
            <td className="px-3 py-1.5 text-right tabular-nums">{formatNumber(row.bitsPerWeight, 2)}</td>
            <td className="px-3 py-1.5 text-right tabular-nums">{formatRate(row.promptTokensPerSecond)}</td>
            <td className="px-3 py-1.5 text-right tabular-nums">{formatRate(row.generationTokensPerSecond)}</td>
            <td className="px-3 py-1.5 text-right tabular-nums" data-testid="tradeoff-top1">{formatPercent(row.top1Agreement, 1)}</td>
            <td className="py-1.5 pl-3 text-right tabular-nums" data-testid="tradeoff-kl">{formatNumber(row.klDivergence, 4)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TradeoffPanel(props: {
  family: ModelFamily;
  stored: TradeoffView | undefined;
  canWrite: boolean;
  /** may run the family on a suite (model.call) */
  canRun?: boolean;
  suiteOptions?: SuiteAgreementOptions;
  onMeasured: (view: TradeoffView) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const view = props.stored;
  const measuredNames = new Set(view?.rows.map((row) => row.name) ?? []);
  const missing = props.family.variants.filter((variant) => !measuredNames.has(variant.name));

  async function measure() {
    setBusy(true);
    setError(null);
    try {
      props.onMeasured(await api<TradeoffView>("/api/local-models/tradeoff", { body: { name: props.family.base } }));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card p-4" data-testid="tradeoff-panel" data-model={props.family.base}>
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 className="text-sm font-semibold">
            Trade-off: <span className="font-mono">{props.family.base}</span> and {props.family.variants.length} quantized version{props.family.variants.length === 1 ? "" : "s"}
          </h2>
          <p className="mt-0.5 text-xs text-slate-500">
            Each version against the original over a held-out text{view ? ` (${view.positions} positions, ${view.threads} thread${view.threads === 1 ? "" : "s"})` : ""}: the share of positions where its
            most likely next token is the original&apos;s, and the KL divergence of its next-token distribution from the original&apos;s (0 = identical).
            {view && <> Measured {formatRelativeTime(view.measuredAt)}.</>}
            {view && missing.length > 0 && <span className="text-amber-700"> Not measured yet: {missing.map((variant) => variant.type).join(", ")}.</span>}
          </p>
        </div>
        {props.canWrite && (
          <button className="btn shrink-0 px-2.5 py-1 text-xs" onClick={measure} disabled={busy} data-testid="measure-tradeoff" title="Loads each version on this machine (1 thread) and compares it with the original">
            {busy ? "Measuring…" : view ? "Measure again" : "Measure trade-off"}
          </button>
        )}
      </div>
      {error && <p role="alert" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="tradeoff-error">{error}</p>}
      {view ? (
        <div className="mt-3 space-y-4">
          <div className="overflow-x-auto">
            <TradeoffTable view={view} />
          </div>
          <div className="flex max-w-4xl gap-6" data-testid="tradeoff-plot">
            <Scatter rows={view.rows} title="Size vs top-1 agreement" value={(row) => row.top1Agreement} format={(value) => formatPercent(value, 0)} testId="tradeoff-plot-top1" fixedMax={1} />
            <Scatter rows={view.rows} title="Size vs KL divergence (nats)" value={(row) => row.klDivergence} format={(value) => formatNumber(value, 3)} testId="tradeoff-plot-kl" />
          </div>
          {props.suiteOptions && <SuiteAgreement view={view} options={props.suiteOptions} canRun={props.canRun ?? false} onUpdate={props.onMeasured} />}
        </div>
      ) : (
        <p className="mt-3 text-sm text-slate-500" data-testid="tradeoff-empty">
          Not measured yet{props.canWrite ? ": Measure trade-off loads each version and compares it with the original (seconds for small models)." : "."}
        </p>
      )}
    </section>
  );
}
