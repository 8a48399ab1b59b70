"use client";
import { useState } from "react";
import { formatCount, formatPercent } from "@/lib/format";
import { letterColor, variantLetters } from "./variant-editor";
import type { VariantLabelMetrics, VariantRecord } from "./types";

/** Classification metrics per variant: accuracy, per-class precision/recall/F1, and the confusion matrix. */
export function LabelMetricsPanel(props: { metrics: VariantLabelMetrics[]; variants: VariantRecord[] }) {
  const [selected, setSelected] = useState(props.metrics[0]?.variantId ?? "");
  const entry = props.metrics.find((item) => item.variantId === selected) ?? props.metrics[0];
  if (!entry) return null;
  const { metrics } = entry;
  const largest = Math.max(1, ...metrics.confusion.counts.flat());
  return (
    <section className="card p-4" data-testid="label-metrics">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 className="text-sm font-semibold">Classification</h2>
          <p className="text-xs text-slate-500">From the label assertions: the output, case-folded and without punctuation, read as one of the classes.</p>
        </div>
        <div className="flex gap-1">
          {props.metrics.map((item) => {
            const index = props.variants.findIndex((variant) => variant.id === item.variantId);
            const variant = props.variants[index];
            return (
              <button
                key={item.variantId}
                className={`flex items-center gap-1.5 rounded-md border px-2 py-1 text-xs ${item.variantId === entry.variantId ? "border-brand-500 bg-brand-50 text-brand-700" : "border-slate-200 text-slate-600 hover:bg-slate-50"}`}
                onClick={() => setSelected(item.variantId)}
                title={variant?.label}
              >
                <span className={`flex h-4 w-4 items-center justify-center rounded text-[10px] font-bold text-white ${letterColor(index)}`}>{variantLetters[index]}</span>
                {formatPercent(item.metrics.accuracy)}
              </button>
            );
          })}
        </div>
      </div>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <div>
          <div className="mb-3 flex gap-6">
            <div>
              <div className="text-xs text-slate-500">Accuracy</div>
              <div className="text-xl font-semibold tabular-nums" data-testid="label-accuracy">{formatPercent(metrics.accuracy)}</div>
              <div className="text-xs text-slate-400">{formatCount(metrics.correct)} of {formatCount(metrics.total)}</div>
            </div>
            <div>
              <div className="text-xs text-slate-500">Macro F1</div>
              <div className="text-xl font-semibold tabular-nums">{metrics.macroF1.toFixed(3)}</div>
            </div>
          </div>
          <table className="w-full text-sm">
            <thead className="text-left text-xs text-slate-500">
              <tr className="border-b border-slate-200">
                <th className="py-1.5 pr-3">Class</th>
                <th className="py-1.5 pr-3 text-right">Precision</th>
                <th className="py-1.5 pr-3 text-right">Recall</th>
                <th className="py-1.5 pr-3 text-right">F1</th>
                <th className="py-1.5 pr-3 text-right" title="cases expecting this class">Support</th>
                <th className="py-1.5 text-right" title="outputs read as this class">Predicted</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 tabular-nums">
              {metrics.perClass.map((row) => (
                <tr key={row.label}>
                  <td className="py-1.5 pr-3 font-mono text-xs">{row.label}</td>
                  <td className="py-1.5 pr-3 text-right">{row.precision.toFixed(3)}</td>
                  <td className="py-1.5 pr-3 text-right">{row.recall.toFixed(3)}</td>
                  <td className="py-1.5 pr-3 text-right font-medium">{row.f1.toFixed(3)}</td>
                  <td className="py-1.5 pr-3 text-right text-slate-500">{formatCount(row.support)}</td>
                  <td className="py-1.5 text-right text-slate-500">{formatCount(row.predicted)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {entry.skipped > 0 && <p className="mt-2 text-xs text-amber-700">{formatCount(entry.skipped)} result(s) left out: their expected output is not one of the classes.</p>}
        </div>
        <div className="overflow-x-auto">
          <div className="mb-1 text-xs text-slate-500">Confusion matrix — rows: expected, columns: predicted</div>
          <table className="text-xs" data-testid="confusion-matrix">
            <thead>
              <tr>
                <th />
                {metrics.confusion.columns.map((column, index) => (
                  <th key={column} className={`max-w-24 truncate px-2 py-1 text-center font-mono font-medium ${index === metrics.confusion.rows.length ? "italic text-slate-400" : "text-slate-600"}`} title={column}>{column}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {metrics.confusion.rows.map((row, rowIndex) => (
                <tr key={row}>
                  <th className="max-w-32 truncate px-2 py-1 text-right font-mono font-medium text-slate-600" title={row}>{row}</th>
                  {(metrics.confusion.counts[rowIndex] ?? []).map((count, columnIndex) => {
                    const share = count / largest;
                    const diagonal = rowIndex === columnIndex;
                    return (
                      <td
                        key={columnIndex}
                        className="h-9 min-w-12 border border-white px-2 text-center tabular-nums"
                        style={{ backgroundColor: count === 0 ? "#f8fafc" : diagonal ? `rgba(16,185,129,${0.15 + share * 0.7})` : `rgba(239,68,68,${0.12 + share * 0.6})` }}
                        title={`expected ${row}, predicted ${metrics.confusion.columns[columnIndex]}: ${count}`}
                      >
                        {count === 0 ? <span className="text-slate-300">0</span> : count}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
