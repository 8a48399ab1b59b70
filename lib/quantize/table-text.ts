import { formatBytes, formatNumber, formatPercent, formatRate } from "../format.ts";
import type { TradeoffRow } from "./tradeoff.ts";

/** The trade-off table as plain text (CLI and bench), through the one formatter. */
export function tradeoffText(rows: readonly TradeoffRow[]): string {
  const header = ["type", "size", "bits/weight", "prompt tok/s", "gen tok/s", "top-1 agreement", "KL (nats)"];
  const body = rows.map((row) => [
    row.label,
    formatBytes(row.sizeBytes),
    formatNumber(row.bitsPerWeight, 2),
    formatRate(row.promptTokensPerSecond),
    formatRate(row.generationTokensPerSecond),
    formatPercent(row.top1Agreement, 1),
    formatNumber(row.klDivergence, 5),
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...body.map((line) => line[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  return [line(header), ...body.map(line)].join("\n") + "\n";
}
