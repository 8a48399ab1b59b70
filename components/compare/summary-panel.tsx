import type { ReactNode } from "react";
import type { Comparison, Interval, MetricComparison, MetricKey, PairComparison, PercentileName, VariantStats } from "@/lib/compare/types";
import { formatPValue } from "@/lib/compare/verdict";
import { formatDuration, formatMoney, formatNumber, formatPercent, formatTokens } from "@/lib/format";
import { LetterBadge } from "./variant-chip";

// The verdicts first (what a reader needs), then the figures behind them, each with its 95 % interval.

const BETTER_WHEN: Record<MetricKey, "higher" | "lower" | "neutral"> = {
  passRate: "higher",
  score: "higher",
  latency: "lower",
  ttft: "lower",
  cost: "lower",
  inputTokens: "neutral",
  outputTokens: "neutral",
};

const METRIC_NAMES: Record<MetricKey, string> = {
  passRate: "Pass rate",
  score: "Mean score",
  latency: "Latency",
  ttft: "Time to first token",
  cost: "Cost",
  inputTokens: "Input tokens",
  outputTokens: "Output tokens",
};

function tone(metric: MetricComparison): "better" | "worse" | "neutral" | "none" {
  if (!metric.significant) return "none";
  const direction = BETTER_WHEN[metric.metric];
  if (direction === "neutral") return "neutral";
  return (metric.diff > 0) === (direction === "higher") ? "better" : "worse";
}

const TONE_STYLE = {
  better: { icon: "▲", className: "border-emerald-200 bg-emerald-50 text-emerald-900", iconClass: "text-emerald-600", label: "better" },
  worse: { icon: "▼", className: "border-red-200 bg-red-50 text-red-900", iconClass: "text-red-600", label: "worse" },
  neutral: { icon: "◆", className: "border-amber-200 bg-amber-50 text-amber-900", iconClass: "text-amber-600", label: "different" },
  none: { icon: "≈", className: "border-slate-200 bg-slate-50 text-slate-700", iconClass: "text-slate-400", label: "no detectable difference" },
} as const;

export function Verdicts({ pair }: { pair: PairComparison }) {
  if (pair.metrics.length === 0) return <p className="text-sm text-slate-500">Not enough results on both sides to compare yet.</p>;
  return (
    <ul className="space-y-1.5" data-testid="verdicts">
      {pair.metrics.map((metric) => {
        const style = TONE_STYLE[tone(metric)];
        return (
          <li key={metric.metric} className={`flex items-start gap-2 rounded-md border px-3 py-1.5 text-sm ${style.className}`} data-testid={`verdict-${metric.metric}`} data-tone={tone(metric)}>
            <span className={`mt-px w-4 shrink-0 text-center ${style.iconClass}`} aria-label={style.label}>{style.icon}</span>
            <span className="min-w-0">
              <span className="font-semibold">{METRIC_NAMES[metric.metric]}.</span> {metric.verdict}{" "}
              <span className="ml-1 cursor-help text-xs text-slate-400 underline decoration-dotted" title={`${metric.method}. Based on ${metric.n.toLocaleString("en-US")} ${metric.metric === "latency" || metric.metric === "ttft" ? "calls" : "cases"}.${metric.adjustedP !== metric.pValue ? ` Unadjusted ${formatPValue(metric.pValue)}.` : ""}`}>
                method
              </span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function ci(interval: Interval | null | undefined, format: (value: number) => string): ReactNode {
  if (!interval || !Number.isFinite(interval.estimate)) return <span className="text-slate-400">—</span>;
  const bounds = Number.isFinite(interval.low) && Number.isFinite(interval.high);
  return (
    <span className="whitespace-nowrap">
      <span className="font-medium text-slate-900">{format(interval.estimate)}</span>
      {bounds && <span className="ml-1 text-xs text-slate-500">({format(interval.low)} to {format(interval.high)})</span>}
    </span>
  );
}

const percent = (value: number) => formatPercent(value);
const points = (value: number) => formatNumber(value * 100, 1, { signed: true });
const score = (value: number) => formatNumber(value, 3);
const signedScore = (value: number) => formatNumber(value, 3, { signed: true });
const ms = (value: number) => formatDuration(value);
const signedMs = (value: number) => formatDuration(value, { signed: true });
const usd = (value: number) => formatMoney(value);
const signedUsd = (value: number) => formatMoney(value, { signed: true });
const tokens = (value: number) => formatTokens(value);
/** "420k": tokens per 1,000 calls, for budgets */
const perThousand = (value: number) => {
  const total = value * 1000;
  return total >= 1_000_000 ? `${Number((total / 1_000_000).toPrecision(3))}M` : `${Number((total / 1000).toPrecision(3))}k`;
};
function withPerThousand(interval: Interval | null | undefined): ReactNode {
  if (!interval || !Number.isFinite(interval.estimate)) return ci(interval, tokens);
  return (
    <span className="whitespace-nowrap">
      {ci(interval, tokens)}
      <span className="ml-1 text-xs text-slate-400">· {perThousand(interval.estimate)} per 1,000</span>
    </span>
  );
}
const signedTokens = (value: number) => formatTokens(value, { signed: true });

interface Row {
  label: ReactNode;
  a: ReactNode;
  b: ReactNode;
  diff: ReactNode;
  p?: MetricComparison;
  sub?: boolean;
}

function metricOf(pair: PairComparison, key: MetricKey): MetricComparison | undefined {
  return pair.metrics.find((metric) => metric.metric === key);
}

function diffCell(metric: MetricComparison | undefined, format: (value: number) => string): ReactNode {
  if (!metric) return <span className="text-slate-400">—</span>;
  return ci({ estimate: metric.diff, low: metric.low, high: metric.high }, format);
}

function percentileRows(name: "latency" | "ttft", statsA: VariantStats, statsB: VariantStats, pair: PairComparison): Row[] {
  const differences = name === "latency" ? pair.latencyPercentiles : pair.ttftPercentiles;
  const names: PercentileName[] = name === "latency" ? ["p50", "p90", "p95", "p99"] : ["p50", "p95"];
  return names.map((percentile) => ({
    label: <span className="pl-4 text-slate-600">{percentile}</span>,
    a: ci(statsA[name].percentiles?.[percentile], ms),
    b: ci(statsB[name].percentiles?.[percentile], ms),
    diff: ci(differences.find((item) => item.name === percentile), signedMs),
    sub: true,
  }));
}

export function FiguresTable({ comparison, pair, indexB }: { comparison: Comparison; pair: PairComparison; indexB: number }) {
  const statsA = comparison.stats[0] as VariantStats;
  const statsB = comparison.stats[indexB] as VariantStats;
  const variantA = comparison.variants[0];
  const variantB = comparison.variants[indexB];
  const rows: Row[] = [
    {
      label: "Pass rate",
      a: ci(statsA.passRate, percent),
      b: ci(statsB.passRate, percent),
      diff: diffCell(metricOf(pair, "passRate"), (value) => `${points(value)} pts`),
      p: metricOf(pair, "passRate"),
    },
    { label: "Mean score", a: ci(statsA.meanScore, score), b: ci(statsB.meanScore, score), diff: diffCell(metricOf(pair, "score"), signedScore), p: metricOf(pair, "score") },
    {
      label: (
        <span>
          Latency <span className="text-xs font-normal text-slate-500">· shift (Hodges–Lehmann)</span>
        </span>
      ),
      a: <span className="text-xs text-slate-500">{statsA.latency.calls.toLocaleString("en-US")} calls</span>,
      b: <span className="text-xs text-slate-500">{statsB.latency.calls.toLocaleString("en-US")} calls</span>,
      diff: diffCell(metricOf(pair, "latency"), signedMs),
      p: metricOf(pair, "latency"),
    },
    ...percentileRows("latency", statsA, statsB, pair),
    {
      label: (
        <span>
          Time to first token <span className="text-xs font-normal text-slate-500">· shift</span>
        </span>
      ),
      a: <span className="text-xs text-slate-500">{statsA.ttft.calls.toLocaleString("en-US")} calls</span>,
      b: <span className="text-xs text-slate-500">{statsB.ttft.calls.toLocaleString("en-US")} calls</span>,
      diff: diffCell(metricOf(pair, "ttft"), signedMs),
      p: metricOf(pair, "ttft"),
    },
    ...percentileRows("ttft", statsA, statsB, pair),
    { label: "Cost per 1,000 calls", a: ci(statsA.costPer1k, usd), b: ci(statsB.costPer1k, usd), diff: diffCell(metricOf(pair, "cost"), signedUsd), p: metricOf(pair, "cost") },
    { label: "Input tokens per call", a: withPerThousand(statsA.inputTokensPerCall), b: withPerThousand(statsB.inputTokensPerCall), diff: diffCell(metricOf(pair, "inputTokens"), signedTokens), p: metricOf(pair, "inputTokens") },
    { label: "Output tokens per call", a: withPerThousand(statsA.outputTokensPerCall), b: withPerThousand(statsB.outputTokensPerCall), diff: diffCell(metricOf(pair, "outputTokens"), signedTokens), p: metricOf(pair, "outputTokens") },
    {
      label: "Errors · cached",
      a: <span className="text-slate-700">{statsA.errors} · {statsA.cached}</span>,
      b: <span className="text-slate-700">{statsB.errors} · {statsB.cached}</span>,
      diff: <span className="text-xs text-slate-400">of {statsA.results.toLocaleString("en-US")} / {statsB.results.toLocaleString("en-US")} results</span>,
    },
  ];
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="figures-table">
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs text-slate-500">
            <th className="py-1.5 pr-3 font-medium">Metric <span className="font-normal">(95 % CI)</span></th>
            <th className="py-1.5 pr-3 font-medium">
              <span className="inline-flex items-center gap-1">{variantA && <LetterBadge letter={variantA.letter} index={0} size="sm" />} {variantA?.label}</span>
            </th>
            <th className="py-1.5 pr-3 font-medium">
              <span className="inline-flex items-center gap-1">{variantB && <LetterBadge letter={variantB.letter} index={indexB} size="sm" />} {variantB?.label}</span>
            </th>
            <th className="py-1.5 pr-3 font-medium">{variantB?.letter} − {variantA?.letter}</th>
            <th className="py-1.5 font-medium">p{comparison.holmCorrected ? " (Holm)" : ""}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index} className={row.sub ? "" : "border-t border-slate-100"}>
              <td className={`whitespace-nowrap pr-3 ${row.sub ? "py-0.5 text-xs" : "py-1.5 font-medium text-slate-800"}`}>{row.label}</td>
              <td className={`pr-3 tabular-nums ${row.sub ? "py-0.5" : "py-1.5"}`}>{row.a}</td>
              <td className={`pr-3 tabular-nums ${row.sub ? "py-0.5" : "py-1.5"}`}>{row.b}</td>
              <td className={`pr-3 tabular-nums ${row.sub ? "py-0.5" : "py-1.5"}`}>{row.diff}</td>
              <td className="py-1.5 tabular-nums text-slate-700">
                {row.p ? (
                  <span className={row.p.significant ? "font-semibold text-slate-900" : ""} title={row.p.adjustedP !== row.p.pValue ? `unadjusted ${formatPValue(row.p.pValue)}` : undefined}>
                    {formatPValue(row.p.adjustedP).replace(/^p /, "").replace(/^= /, "")}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** With more than two variants: every variant against the baseline at a glance; a click selects it below. */
export function VariantsOverview({ comparison, selected, onSelect }: { comparison: Comparison; selected: number; onSelect: (index: number) => void }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="variants-overview">
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs text-slate-500">
            <th className="py-1.5 pr-3 font-medium">Variant</th>
            <th className="py-1.5 pr-3 font-medium">Pass rate (95 % CI)</th>
            <th className="py-1.5 pr-3 font-medium">vs {comparison.variants[0]?.letter}: Δ pts, p (Holm)</th>
            <th className="py-1.5 pr-3 font-medium">Mean score</th>
            <th className="py-1.5 pr-3 font-medium">p50 · p95 latency</th>
            <th className="py-1.5 pr-3 font-medium">Cost / 1,000</th>
            <th className="py-1.5 font-medium">Input tokens</th>
          </tr>
        </thead>
        <tbody>
          {comparison.variants.map((variant, index) => {
            const stats = comparison.stats[index] as VariantStats;
            const pass = index === 0 ? undefined : comparison.pairs[index - 1]?.metrics.find((metric) => metric.metric === "passRate");
            const isSelected = index === selected;
            return (
              <tr
                key={variant.id}
                className={`border-t border-slate-100 ${index === 0 ? "bg-slate-50" : "cursor-pointer hover:bg-brand-50"} ${isSelected ? "bg-brand-50 ring-1 ring-inset ring-brand-200" : ""}`}
                onClick={() => index > 0 && onSelect(index)}
                data-testid="overview-row"
              >
                <td className="py-1.5 pr-3">
                  <span className="inline-flex items-center gap-1.5">
                    <LetterBadge letter={variant.letter} index={index} />
                    <span className="font-medium">{variant.label}</span>
                    {index === 0 && <span className="badge bg-slate-200 text-slate-600">baseline</span>}
                  </span>
                </td>
                <td className="py-1.5 pr-3 tabular-nums">{ci(stats.passRate, percent)}</td>
                <td className="py-1.5 pr-3 tabular-nums">
                  {pass ? (
                    <span className={pass.significant ? (pass.diff > 0 ? "font-semibold text-emerald-700" : "font-semibold text-red-700") : "text-slate-600"}>
                      {points(pass.diff)} · {formatPValue(pass.adjustedP)}
                    </span>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </td>
                <td className="py-1.5 pr-3 tabular-nums">{ci(stats.meanScore, score)}</td>
                <td className="py-1.5 pr-3 tabular-nums">
                  {stats.latency.percentiles ? `${ms(stats.latency.percentiles.p50.estimate)} · ${ms(stats.latency.percentiles.p95.estimate)}` : "—"}
                </td>
                <td className="py-1.5 pr-3 tabular-nums">{stats.costPer1k ? usd(stats.costPer1k.estimate) : "—"}</td>
                <td className="py-1.5 tabular-nums">{stats.inputTokensPerCall ? tokens(stats.inputTokensPerCall.estimate) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
