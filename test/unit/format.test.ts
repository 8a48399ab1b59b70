import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatClock,
  formatCount,
  formatDay,
  formatDuration,
  formatMoney,
  formatNumber,
  formatParameters,
  formatPercent,
  formatRate,
  formatRelativeTime,
  formatTokens,
  localDayKey,
} from "../../lib/format.ts";

describe("formatDuration", () => {
  it.each([
    [null, "—"],
    [undefined, "—"],
    [Number.NaN, "—"],
    [0, "0 ms"],
    [0.42, "0.4 ms"],
    [4.24, "4 ms"],
    [842.4, "842 ms"],
    [999.7, "1.00 s"],
    [1000, "1 s"],
    [1240, "1.24 s"],
    [1500, "1.50 s"],
    [10_000, "10 s"],
    [12_345, "12.3 s"],
    [59_990, "1 min"],
    [75_000, "1 min 15 s"],
    [3_600_000, "1 h"],
    [3_700_000, "1 h 1 min"],
    [-120, "−120 ms"],
  ])("%s ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("signs differences", () => {
    expect(formatDuration(120, { signed: true })).toBe("+120 ms");
    expect(formatDuration(-1500, { signed: true })).toBe("−1.50 s");
    expect(formatDuration(0, { signed: true })).toBe("0 ms");
  });
});

describe("formatMoney", () => {
  it.each([
    [null, "—"],
    [undefined, "—"],
    [0, "$0"],
    [1234.5678, "$1,234.57"],
    [1, "$1.00"],
    [0.5, "$0.50"],
    [0.36, "$0.36"],
    [0.1, "$0.10"],
    [0.012345, "$0.0123"],
    [0.008755, "$0.00876"],
    [0.00015, "$0.00015"],
    [0.0000017, "$0.0000017"],
    [0.0004629375, "$0.000463"],
    [-0.0002, "−$0.0002"],
  ])("%s dollars is %s", (usd, text) => {
    expect(formatMoney(usd)).toBe(text);
  });

  it("signs differences", () => {
    expect(formatMoney(0.0002, { signed: true })).toBe("+$0.0002");
    expect(formatMoney(0, { signed: true })).toBe("$0");
  });
});

describe("formatTokens, formatPercent, formatCount, formatNumber", () => {
  it("writes the literal strings every screen shows", () => {
    expect([formatTokens(1234), formatTokens(12.46), formatTokens(250.4), formatTokens(-40, { signed: true }), formatTokens(null)]).toEqual(["1,234", "12.5", "250", "−40", "—"]);
    expect([formatPercent(0.1234), formatPercent(1, 0), formatPercent(0.1, 1, { signed: true }), formatPercent(-0.0004), formatPercent(null)]).toEqual(["12.3%", "100%", "+10.0%", "0.0%", "—"]);
    expect([formatCount(12000), formatCount(0), formatCount(undefined)]).toEqual(["12,000", "0", "—"]);
    expect([formatNumber(-0.1234, 3), formatNumber(-0.0001, 2), formatNumber(0.5, 2, { signed: true })]).toEqual(["−0.123", "0.00", "+0.50"]);
  });
});

describe("model card figures", () => {
  it("writes sizes, parameter counts and speeds", () => {
    expect([formatBytes(3_800_000), formatBytes(494_000_000), formatBytes(512), formatBytes(null)]).toEqual(["3.8 MB", "494 MB", "512 B", "—"]);
    expect([formatParameters(494_000_000), formatParameters(1_200_000_000), formatParameters(12_000_000_000), formatParameters(900)]).toEqual(["494 M", "1.2 B", "12 B", "900"]);
    expect([formatRate(42.46), formatRate(1250.4), formatRate(null)]).toEqual(["42.5 tok/s", "1,250 tok/s", "—"]);
  });
});

describe("relative times and day headings (activity feed)", () => {
  const now = Date.parse("2026-12-01T15:00:00");

  it.each([
    ["2026-12-01T15:00:30", "just now"],
    ["2026-12-01T14:59:31", "just now"],
    ["2026-12-01T14:55:00", "5 min ago"],
    ["2026-12-01T12:00:00", "3 h ago"],
    ["2026-11-30T14:00:00", "yesterday"],
    ["2026-11-27T15:00:00", "4 days ago"],
    ["2026-11-22T14:05:00", "22 Nov, 14:05"],
  ])("%s is %s", (iso, text) => {
    expect(formatRelativeTime(new Date(iso).toISOString(), now)).toBe(text);
  });

  it("names today, yesterday, then the weekday and date, with the year only when it is another one", () => {
    const day = (iso: string) => formatDay(new Date(iso).toISOString(), now);
    expect(day("2026-12-01T00:05:00")).toBe("Today");
    expect(day("2026-11-30T23:59:00")).toBe("Yesterday");
    expect(day("2026-11-29T10:00:00")).toBe("Sunday 29 November");
    expect(day("2025-12-31T10:00:00")).toBe("Wednesday 31 December 2025");
    expect(localDayKey(new Date("2026-11-29T10:00:00").toISOString())).toBe("2026-11-29");
    expect(formatClock(new Date("2026-11-29T09:07:00").toISOString())).toBe("09:07");
    expect(formatRelativeTime("not a date", now)).toBe("—");
  });
});
