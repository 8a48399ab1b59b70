import { formatDuration, formatMoney, formatNumber, formatPercent } from "../format.ts";
import type { RunDetail, RunProgress } from "./types.ts";

// Plain-text views of a run for the terminal: the progress line and the per-variant summary table.

export function progressLine(progress: RunProgress, width = 30): string {
  const share = progress.total > 0 ? progress.done / progress.total : 0;
  const filled = Math.round(share * width);
  const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
  const eta = progress.etaMs === null ? "" : `  ETA ${formatDuration(progress.etaMs)}`;
  return (
    `${bar} ${progress.done}/${progress.total} (${Math.floor(share * 100)}%)  errors ${progress.errors}  retries ${progress.retries}` +
    `${progress.cached ? `  cached ${progress.cached}` : ""}  ${formatDuration(progress.elapsedMs)}${eta}`
  );
}

export function summaryTable(run: RunDetail): string {
  const header = ["variant", "pass rate", "passed", "errors", "score", "p50 latency", "p95 latency", "p50 TTFT", "tokens in/out", "cost"];
  const rows = run.variants.map((variant) => {
    const summary = variant.summary;
    return [
      variant.label,
      formatPercent(summary.passRate),
      `${summary.passed}/${summary.done}`,
      String(summary.errors),
      formatNumber(summary.meanScore, 3),
      formatDuration(summary.latencyMs.p50),
      formatDuration(summary.latencyMs.p95),
      formatDuration(summary.ttftMs.p50),
      `${summary.inputTokens}/${summary.outputTokens}`,
      formatMoney(summary.totalCost),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ");
  return [line(header), widths.map((width) => "─".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

/** Named metrics per variant: "accuracy 75.0 % (3/4)", one column per metric; "" when no assertion names one. */
export function metricsTable(run: RunDetail, metrics: readonly { variantId: string; metric: string; assertions: number; passed: number; meanScore: number }[]): string {
  if (metrics.length === 0) return "";
  const names = [...new Set(metrics.map((entry) => entry.metric))].sort();
  const header = ["metric (mean score, passed)", ...names];
  const rows = run.variants.map((variant) => [
    variant.label,
    ...names.map((name) => {
      const entry = metrics.find((item) => item.variantId === variant.id && item.metric === name);
      return entry ? `${formatPercent(entry.meanScore)} (${entry.passed}/${entry.assertions})` : "—";
    }),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ");
  return [line(header), widths.map((width) => "─".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}
