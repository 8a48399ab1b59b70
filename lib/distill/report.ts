import { formatBytes, formatCount, formatDuration, formatMoney, formatNumber, formatPercent } from "../format.ts";
import type { StudentMetrics } from "./train.ts";
import type { DistillationReport, FailedRow, LatencySummary } from "./types.ts";

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

/** A finished distillation's report as plain text: agreement, accuracy, latency, cost, the cascade, size. */
export function distillationReportText(name: string, report: DistillationReport, failedRows: readonly FailedRow[] = []): string {
  const lines = [
    `Student ${name}: ${report.studentKind === "lm" ? "language model (experimental)" : "classifier"} on a ${report.task} task, ${formatCount(report.rows.train)} training rows, ${formatCount(report.rows.heldOut)} held out, ${formatCount(report.rows.failed)} failed teacher rows left out, trained in ${formatDuration(report.trainingMs)}`,
  ];
  if (report.studentKind === "classifier") {
    lines.push(`Agreement with the teacher on held-out rows (exact match): ${formatPercent(report.exactMatch)}`);
    for (const head of report.heads) {
      lines.push(
        `  ${head.field === null ? "label" : `field ${head.field}`}: agreement ${formatPercent(head.exactMatch)}, Cohen's κ ${formatNumber(head.kappa, 3)} (95 % interval ${formatNumber(head.kappaInterval[0], 3)} to ${formatNumber(head.kappaInterval[1], 3)})`,
      );
    }
  } else if (report.lm) {
    lines.push(`Fine-tuned for ${formatCount(report.lm.epochs)} epochs on ${formatCount(report.lm.trainTokens)} tokens; final loss ${formatNumber(report.lm.finalLoss, 4)}`);
  }
  if (report.accuracy) {
    const cascade = report.accuracy.cascade === null ? "" : `, cascade ${formatPercent(report.accuracy.cascade)}`;
    lines.push(`Accuracy against expected (${formatCount(report.accuracy.cases)} held-out cases): teacher ${formatPercent(report.accuracy.teacher)}, student ${formatPercent(report.accuracy.student)}${cascade}`);
  }
  const latency = (label: string, summary: LatencySummary | null) =>
    summary && summary.calls > 0 ? `${label} p50 ${formatDuration(summary.p50Ms)}, p95 ${formatDuration(summary.p95Ms)} (${formatCount(summary.calls)} calls)` : `${label} not measured`;
  lines.push(`Latency: ${[latency("student", report.latency.student), latency("cascade", report.latency.cascade), latency("teacher", report.latency.teacher)].join("; ")}`);
  lines.push(`Cost per 1,000 calls: student ${formatMoney(report.costPer1000.student)}, cascade ${formatMoney(report.costPer1000.cascade)}, teacher ${formatMoney(report.costPer1000.teacher)}`);
  if (report.cascade) {
    lines.push(
      `Cascade at ${formatPercent(report.cascade.targetAgreement)} target agreement: threshold ${formatNumber(report.cascade.threshold, 3)}, the student answers ${formatPercent(report.cascade.coverage)} of calls, agreement ${formatPercent(report.cascade.agreement)}, ${formatCount(report.cascade.teacherCalls)} of ${formatCount(report.rows.heldOut)} held-out rows go to the teacher`,
    );
  }
  lines.push(`Size on disk: ${formatBytes(report.sizeBytes)}`);
  if (failedRows.length > 0) {
    lines.push(`Teacher failed on ${formatCount(failedRows.length)} rows (left out):`);
    for (const row of failedRows.slice(0, 10)) lines.push(`  ${row.caseKey}: ${row.error}`);
    if (failedRows.length > 10) lines.push(`  … and ${formatCount(failedRows.length - 10)} more`);
  }
  return `${lines.join("\n")}\n`;
}
