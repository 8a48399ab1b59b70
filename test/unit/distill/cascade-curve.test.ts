import { describe, expect, it } from "vitest";
import { coverageAgreementCurve, pickThreshold } from "../../../lib/distill/cascade-curve.ts";
import { ClassifierStudent } from "../../../lib/distill/classifier.ts";
import { accuracyOf, matchesExpected, percentile, pickCascade, summarize } from "../../../lib/distill/measure.ts";
import { cascadeAt } from "../../../lib/distill/service.ts";
import { distill, distillAsync } from "../../../lib/distill/train.ts";
import { keywordLabel, keywordTexts } from "../../support/keyword-texts.ts";

// The coverage–agreement curve and the threshold pick on numbers worked out by hand, and the measures built on it.

// Five held-out rows, most confident first; the student is wrong on the rows at 0.8 and 0.5.
const ROWS = [
  { confidence: 0.9, agrees: true },
  { confidence: 0.8, agrees: false },
  { confidence: 0.7, agrees: true },
  { confidence: 0.7, agrees: true },
  { confidence: 0.5, agrees: false },
];

describe("coverageAgreementCurve", () => {
  it("has one point per distinct confidence plus 'teacher only', highest threshold first", () => {
    const curve = coverageAgreementCurve(ROWS);
    expect(curve.map((point) => point.coverage)).toEqual([0, 0.2, 0.4, 0.8, 1]);
    // covered wrong rows: 0, 0, 1, 1, 2 of 5
    expect(curve.map((point) => point.agreement)).toEqual([1, 1, 0.8, 0.8, 0.6]);
    expect(curve.slice(1).map((point) => point.threshold)).toEqual([0.9, 0.8, 0.7, 0.5]);
    expect(curve[0]!.threshold).toBeGreaterThan(0.9);
  });

  it("is empty with no rows", () => {
    expect(coverageAgreementCurve([])).toEqual([]);
  });
});

describe("pickThreshold", () => {
  const curve = coverageAgreementCurve(ROWS);
  it("takes the lowest threshold whose agreement reaches the target", () => {
    expect(pickThreshold(curve, 1)).toMatchObject({ threshold: 0.9, coverage: 0.2 });
    // 0.8 is reached down to the 0.7 point (coverage 0.8), not at 0.5 (0.6)
    expect(pickThreshold(curve, 0.8)).toMatchObject({ threshold: 0.7, coverage: 0.8 });
    expect(pickThreshold(curve, 0.5)).toMatchObject({ threshold: 0.5, coverage: 1 });
  });

  it("pickCascade counts the teacher calls as the rows below the threshold", () => {
    expect(pickCascade(ROWS, 0.8).cascade).toMatchObject({ threshold: 0.7, targetAgreement: 0.8, teacherCalls: 1 });
    expect(pickCascade(ROWS, 1).cascade).toMatchObject({ threshold: 0.9, teacherCalls: 4 });
  });

  it("cascadeAt maps any threshold to the rows it covers", () => {
    // 0.75 covers the rows at 0.9 and 0.8, like the 0.8 point
    expect(cascadeAt(curve, 0.75)).toMatchObject({ threshold: 0.75, coverage: 0.4, agreement: 0.8 });
    expect(cascadeAt(curve, 0)).toMatchObject({ threshold: 0, coverage: 1, agreement: 0.6 });
    expect(cascadeAt(curve, 0.95)).toMatchObject({ coverage: 0, agreement: 1 });
  });
});

describe("measures", () => {
  it("percentiles by nearest rank", () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(summarize([30, 10, 20])).toEqual({ calls: 3, p50Ms: 20, p95Ms: 30 });
  });

  it("accuracy against expected: teacher, student and cascade on the rows that have one", () => {
    const task = { kind: "label" as const, heads: [{ field: null, values: ["a", "b"] }] };
    const rows = [
      { input: "1", output: "a", expected: "a" },
      { input: "2", output: "b", expected: "a" },
      { input: "3", output: "b", expected: null },
      { input: "4", output: "a", expected: "b" },
    ];
    const scored = [
      { confidence: 0.9, agrees: true, studentAnswer: "a" },
      { confidence: 0.6, agrees: false, studentAnswer: "a" },
      { confidence: 0.9, agrees: true, studentAnswer: "b" },
      { confidence: 0.95, agrees: false, studentAnswer: "b" },
    ];
    // teacher right on row 1 only (1/3); student on rows 1, 2, 4 (3/3); cascade at 0.8: student on 1 and 4, teacher on 2 → 2/3
    expect(accuracyOf(task, rows, scored, 0.8)).toEqual({ cases: 3, teacher: 1 / 3, student: 1, cascade: 2 / 3 });
    expect(accuracyOf(task, rows.map((row) => ({ ...row, expected: null })), scored, 0.8)).toBeNull();
  });

  it("fields match field by field", () => {
    const task = { kind: "fields" as const, heads: [{ field: "tone", values: ["calm", "angry"] }, { field: "urgent", values: [true, false] }] };
    expect(matchesExpected(task, '{"urgent":true,"tone":"calm"}', '{"tone":"calm","urgent":true}')).toBe(true);
    expect(matchesExpected(task, '{"urgent":false,"tone":"calm"}', '{"tone":"calm","urgent":true}')).toBe(false);
    expect(matchesExpected(task, "not json", '{"tone":"calm","urgent":true}')).toBe(false);
  });
});

describe("distillAsync", () => {
  it("trains the same weights as distill, reporting a falling loss per epoch, and stops when asked", async () => {
    const rows = keywordTexts(200, 3).map((input) => ({ input, output: keywordLabel(input) }));
    const sync = distill(rows, { seed: 4, dimensions: 1 << 14 });
    const losses: number[] = [];
    const trained = await distillAsync(rows, { seed: 4, dimensions: 1 << 14, onEpoch: ({ loss }) => void losses.push(loss) });
    expect(trained!.classifier.serialize()).toEqual(sync.classifier.serialize());
    expect(trained!.heldOutIndices).toEqual(sync.heldOutIndices);
    expect(losses).toHaveLength(10);
    expect(losses[9]!).toBeLessThan(losses[0]!);
    let epochs = 0;
    const stopped = await distillAsync(rows, { seed: 4, dimensions: 1 << 14, onEpoch: () => void epochs++, shouldStop: () => epochs >= 3 });
    expect(stopped).toBeNull();
    expect(epochs).toBe(3);
    expect(ClassifierStudent.deserialize(sync.classifier.serialize()).predict(rows[0]!.input)[0]!.value).toBe(sync.classifier.predict(rows[0]!.input)[0]!.value);
  });
});
