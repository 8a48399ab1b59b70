import { describe, expect, it } from "vitest";
import { costVerdict, formatPValue, latencyVerdict, passRateVerdict, roundCases, scoreVerdict } from "@/lib/compare/verdict.ts";

const base = { subject: "B", baseline: "A", multiple: false };

describe("verdict sentences", () => {
  it("state a real difference with its interval and p-value, as the issue's example", () => {
    expect(passRateVerdict({ ...base, diff: 0.06, low: 0.021, high: 0.098, pValue: 0.003, significant: true, cases: 900, casesNeeded: 850 })).toBe(
      "B passes more cases: +6.0 points (95 % CI 2.1 to 9.8, p = 0.003)",
    );
    expect(passRateVerdict({ ...base, diff: -0.06, low: -0.098, high: -0.021, pValue: 0.0004, significant: true, cases: 900, casesNeeded: 850 })).toBe(
      "B passes fewer cases: −6.0 points (95 % CI −9.8 to −2.1, p < 0.001)",
    );
  });

  it("say 'no detectable difference' and how many cases it would take", () => {
    expect(passRateVerdict({ ...base, diff: 0.012, low: -0.02, high: 0.044, pValue: 0.45, significant: false, cases: 120, casesNeeded: 843 })).toBe(
      "No detectable difference in pass rate (+1.2 points, 95 % CI −2.0 to 4.4, p = 0.45); about 850 cases would be needed to detect a 5-point difference with 80 % power.",
    );
    expect(passRateVerdict({ ...base, diff: 0, low: -0.01, high: 0.01, pValue: 1, significant: false, cases: 5000, casesNeeded: 843 })).toContain(
      "with 5,000 cases this comparison had 80 % power to detect a 5-point difference",
    );
  });

  it("name the baseline and the Holm adjustment with more than two variants", () => {
    const text = scoreVerdict({ subject: "C", baseline: "A", multiple: true, diff: 0.08, low: 0.03, high: 0.12, pValue: 0.002, significant: true });
    expect(text).toBe("C scores higher than A: +0.080 mean score (95 % CI 0.030 to 0.120, p = 0.002, Holm-adjusted)");
  });

  it("describe latency by the typical shift and the tail, cost relative to the baseline", () => {
    expect(
      latencyVerdict({ ...base, what: "latency", diff: -120, low: -150, high: -95, pValue: 0.00001, significant: true, p95A: 1500, p95B: 1240 }),
    ).toBe("B is faster: −120 ms typical shift (95 % CI −150 ms to −95 ms, p < 0.001); p95 1.24 s vs 1.50 s");
    expect(costVerdict({ ...base, diff: -0.36, low: -0.4, high: -0.32, pValue: 0.00001, significant: true, perThousandA: 1.56, perThousandB: 1.2 })).toBe(
      "B costs 23 % less: $1.20 vs $1.56 per 1,000 calls (−$0.36, 95 % CI −$0.40 to −$0.32, p < 0.001)",
    );
  });

  it("format p-values and case counts", () => {
    expect(formatPValue(0.0004)).toBe("p < 0.001");
    expect(formatPValue(0.0312)).toBe("p = 0.031");
    expect(formatPValue(0.456)).toBe("p = 0.46");
    expect(formatPValue(1)).toBe("p = 1");
    expect(roundCases(843)).toBe(850);
    expect(roundCases(11_234)).toBe(12_000);
    expect(roundCases(57.2)).toBe(58);
  });
});
