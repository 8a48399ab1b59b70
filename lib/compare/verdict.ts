import { formatDuration, formatMoney, formatNumber, formatTokens } from "../format.ts";

// The plain sentence under each metric. It states the direction only when the (adjusted) p-value says the
// difference is real, always shows the interval, and says "no detectable difference" when that is the truth —
// with what it would take to detect one for the pass rate.

export const SIGNIFICANCE = 0.05;
const MINUS = "−";

/** "p < 0.001", "p = 0.003", "p = 0.45" */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return "p not available";
  if (p < 0.001) return "p < 0.001";
  if (p < 0.1) return `p = ${p.toFixed(3)}`;
  if (p >= 0.995) return "p = 1";
  return `p = ${p.toFixed(2)}`;
}

function signed(value: number, text: string): string {
  if (value > 0) return `+${text}`;
  if (value < 0) return `${MINUS}${text}`;
  return text;
}

export function formatPoints(share: number): string {
  return signed(share, `${Math.abs(share * 100).toFixed(1)} points`);
}

/** Cases are given to two significant digits: "about 850 cases", "about 12,000 cases". */
export function roundCases(cases: number): number {
  if (cases < 100) return Math.ceil(cases);
  const magnitude = 10 ** (Math.floor(Math.log10(cases)) - 1);
  return Math.ceil(cases / magnitude) * magnitude;
}

function interval(low: number, high: number, format: (value: number) => string): string {
  return `95 % CI ${format(low)} to ${format(high)}`;
}

function pText(pValue: number, adjusted: boolean): string {
  return `${formatPValue(pValue)}${adjusted ? ", Holm-adjusted" : ""}`;
}

export interface VerdictInput {
  /** "B"; with more than two variants the sentence adds "than A" */
  subject: string;
  baseline: string;
  multiple: boolean;
  diff: number;
  low: number;
  high: number;
  pValue: number;
  significant: boolean;
}

function than(input: VerdictInput): string {
  return input.multiple ? ` than ${input.baseline}` : "";
}

export function passRateVerdict(input: VerdictInput & { cases: number; casesNeeded: number | null }): string {
  const ci = interval(input.low * 100, input.high * 100, (value) => formatNumber(value, 1));
  const p = pText(input.pValue, input.multiple);
  if (input.significant) {
    return `${input.subject} passes ${input.diff > 0 ? "more" : "fewer"} cases${than(input)}: ${formatPoints(input.diff)} (${ci}, ${p})`;
  }
  const between = input.multiple ? ` between ${input.subject} and ${input.baseline}` : "";
  const base = `No detectable difference in pass rate${between} (${formatPoints(input.diff)}, ${ci}, ${p})`;
  if (input.casesNeeded === null) return `${base}.`;
  if (input.cases >= input.casesNeeded) {
    return `${base}; with ${input.cases.toLocaleString("en-US")} cases this comparison had 80 % power to detect a 5-point difference, so a real one is likely smaller.`;
  }
  return `${base}; about ${roundCases(input.casesNeeded).toLocaleString("en-US")} cases would be needed to detect a 5-point difference with 80 % power.`;
}

export function scoreVerdict(input: VerdictInput): string {
  const figures = `${signed(input.diff, Math.abs(input.diff).toFixed(3))} mean score (${interval(input.low, input.high, (value) => formatNumber(value, 3))}, ${pText(input.pValue, input.multiple)})`;
  if (input.significant) return `${input.subject} scores ${input.diff > 0 ? "higher" : "lower"}${than(input)}: ${figures}`;
  return `No detectable difference in mean score${input.multiple ? ` between ${input.subject} and ${input.baseline}` : ""}: ${figures}.`;
}

export function latencyVerdict(
  input: VerdictInput & { what: "latency" | "time to first token"; p95A: number | null; p95B: number | null },
): string {
  const figures = `${formatDuration(input.diff, { signed: true })} typical shift (${interval(input.low, input.high, (value) => formatDuration(value))}, ${pText(input.pValue, input.multiple)})`;
  const tail = input.p95A !== null && input.p95B !== null ? `; p95 ${formatDuration(input.p95B)} vs ${formatDuration(input.p95A)}` : "";
  if (input.significant) {
    const faster = input.what === "latency" ? (input.diff < 0 ? "is faster" : "is slower") : input.diff < 0 ? "starts answering sooner" : "starts answering later";
    return `${input.subject} ${faster}${than(input)}: ${figures}${tail}`;
  }
  return `No detectable difference in ${input.what}${input.multiple ? ` between ${input.subject} and ${input.baseline}` : ""}: ${figures}${tail}.`;
}

export function costVerdict(input: VerdictInput & { perThousandA: number; perThousandB: number }): string {
  const relative = input.perThousandA > 0 ? Math.abs(input.diff / input.perThousandA) : null;
  const share = relative === null ? "" : ` ${relative >= 0.1 ? Math.round(relative * 100) : (relative * 100).toFixed(1)} %`;
  const figures = `${formatMoney(input.perThousandB)} vs ${formatMoney(input.perThousandA)} per 1,000 calls (${formatMoney(input.diff, { signed: true })}, ${interval(input.low, input.high, (value) => formatMoney(value))}, ${pText(input.pValue, input.multiple)})`;
  if (input.significant) return `${input.subject} costs${share} ${input.diff < 0 ? "less" : "more"}${than(input)}: ${figures}`;
  return `No detectable difference in cost${input.multiple ? ` between ${input.subject} and ${input.baseline}` : ""}: ${figures}.`;
}

export function tokensVerdict(input: VerdictInput & { kind: "input" | "output" }): string {
  const figures = `${formatTokens(input.diff, { signed: true })} per call (${interval(input.low, input.high, (value) => formatTokens(value))}, ${pText(input.pValue, input.multiple)})`;
  if (input.significant) return `${input.subject} uses ${input.diff > 0 ? "more" : "fewer"} ${input.kind} tokens${than(input)}: ${figures}`;
  return `No detectable difference in ${input.kind} tokens${input.multiple ? ` between ${input.subject} and ${input.baseline}` : ""}: ${figures}.`;
}
