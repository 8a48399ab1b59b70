import { formatCount, formatDuration, formatNumber, formatPercent } from "../format.ts";
import type { StudentMetrics } from "./train.ts";

// The distillation report as plain text (the CLI prints it): agreement with the teacher on held-out rows per head,
// Cohen's κ with its 95 % interval, and the confusion matrix (rows: teacher, columns: student).

export function studentReport(name: string, metrics: StudentMetrics): string {
  const lines = [
    `Student ${name}: classifier on a ${metrics.task} task, ${formatCount(metrics.trainRows)} training rows, ${formatCount(metrics.heldOutRows)} held out, trained in ${formatDuration(metrics.trainingMs)}`,
    `Agreement with the teacher on held-out rows (exact match): ${formatPercent(metrics.exactMatch)}`,
  ];
  for (const head of metrics.heads) {
    lines.push("");
    lines.push(
      `${head.field === null ? "label" : `field ${head.field}`}: agreement ${formatPercent(head.exactMatch)}, Cohen's κ ${formatNumber(head.kappa, 3)} (95 % interval ${formatNumber(head.kappaInterval[0], 3)} to ${formatNumber(head.kappaInterval[1], 3)})`,
    );
    const width = Math.max(8, ...head.classes.map((value) => value.length)) + 2;
    lines.push(`${"teacher \\ student".padEnd(width + 8)}${head.classes.map((value) => value.padStart(width)).join("")}`);
    head.classes.forEach((value, row) => {
      lines.push(`${value.padEnd(width + 8)}${head.confusion[row]!.map((count) => String(count).padStart(width)).join("")}`);
    });
  }
  return `${lines.join("\n")}\n`;
}
