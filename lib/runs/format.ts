import { formatCost } from "../prompts/cost.ts";
import type { RunDetail, RunProgress } from "./types.ts";

// Plain-text views of a run for the terminal: the progress line and the per-variant summary table.

function duration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
}

export function progressLine(progress: RunProgress, width = 30): string {
  const share = progress.total > 0 ? progress.done / progress.total : 0;
  const filled = Math.round(share * width);
  const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
  const eta = progress.etaMs === null ? "" : `  ETA ${duration(progress.etaMs)}`;
  return (
    `${bar} ${progress.done}/${progress.total} (${Math.floor(share * 100)}%)  errors ${progress.errors}  retries ${progress.retries}` +
    `${progress.cached ? `  cached ${progress.cached}` : ""}  ${duration(progress.elapsedMs)}${eta}`
  );
}

function percent(value: number | null): string {
  return value === null ? "—" : `${(value * 100).toFixed(1)}%`;
}

export function summaryTable(run: RunDetail): string {
  const header = ["variant", "pass rate", "passed", "errors", "score", "p50 latency", "p95 latency", "p50 TTFT", "tokens in/out", "cost"];
  const rows = run.variants.map((variant) => {
    const summary = variant.summary;
    return [
      variant.label,
      percent(summary.passRate),
      `${summary.passed}/${summary.done}`,
      String(summary.errors),
      summary.meanScore === null ? "—" : summary.meanScore.toFixed(3),
      duration(summary.latencyMs.p50),
      duration(summary.latencyMs.p95),
      duration(summary.ttftMs.p50),
      `${summary.inputTokens}/${summary.outputTokens}`,
      formatCost(summary.totalCost),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ");
  return [line(header), widths.map((width) => "─".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}
