import type { ExportRecord } from "./export.ts";
import type { RunDetail } from "./types.ts";

// JUnit XML for CI systems: one <testsuite> per variant, one <testcase> per case and repeat; a failed assertion is a
// <failure>, a call that failed after its retries an <error>.

function escape(text: string): string {
  return text
    // XML 1.0 cannot carry most control characters, even escaped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

export async function* junitXml(run: RunDetail, records: AsyncIterable<ExportRecord>): AsyncGenerator<string> {
  const byVariant = new Map<string, string[]>();
  for (const variant of run.variants) byVariant.set(variant.id, []);
  for await (const record of records) {
    const name = run.repeats > 1 ? `${record.caseKey} #${record.repeat + 1}` : record.caseKey;
    const time = ((record.latencyMs ?? 0) / 1000).toFixed(3);
    let body = "";
    if (record.error) {
      body = `<error type="${escape(record.error.kind)}" message="${escape(record.error.message)}"/>`;
    } else if (record.pass === false) {
      body = `<failure message="${escape(record.reason ?? "assertion failed")}">${escape(record.output ?? "")}</failure>`;
    }
    byVariant
      .get(record.variantId)
      ?.push(`    <testcase classname="${escape(record.variant)}" name="${escape(name)}" time="${time}">${body}</testcase>\n`);
  }
  const totals = run.variants.map((variant) => variant.summary);
  const sum = (pick: (summary: (typeof totals)[number]) => number) => totals.reduce((total, summary) => total + pick(summary), 0);
  yield `<?xml version="1.0" encoding="UTF-8"?>\n`;
  yield `<testsuites name="${escape(run.name)}" tests="${sum((summary) => summary.done)}" failures="${sum((summary) => summary.failed)}" errors="${sum((summary) => summary.errors)}" time="${(run.progress.elapsedMs / 1000).toFixed(3)}">\n`;
  for (const variant of run.variants) {
    const summary = variant.summary;
    yield `  <testsuite name="${escape(variant.label)}" tests="${summary.done}" failures="${summary.failed}" errors="${summary.errors}" skipped="${summary.total - summary.done}">\n`;
    for (const testcase of byVariant.get(variant.id) ?? []) yield testcase;
    yield "  </testsuite>\n";
  }
  yield "</testsuites>\n";
}
