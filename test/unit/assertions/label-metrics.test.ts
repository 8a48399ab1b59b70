import { describe, expect, it } from "vitest";
import { labelMetrics } from "../../../lib/assertions/index.ts";

describe("labelMetrics", () => {
  // Hand-computed: rows expected, columns predicted (cat, dog, other)
  //          cat dog other
  //   cat     3   1   1
  //   dog     1   2   0
  const pairs = [
    ...Array.from({ length: 3 }, () => ({ expected: "cat", predicted: "Cat." })),
    { expected: "cat", predicted: "dog" },
    { expected: "cat", predicted: "a cat, maybe" },
    { expected: "dog", predicted: "cat" },
    { expected: "Dog", predicted: " DOG " },
    { expected: "dog", predicted: "dog!" },
  ];

  it("computes the confusion matrix with an 'other' column", () => {
    const metrics = labelMetrics(pairs);
    expect(metrics.classes).toEqual(["cat", "dog"]);
    expect(metrics.confusion).toEqual({
      rows: ["cat", "dog"],
      columns: ["cat", "dog", "other"],
      counts: [
        [3, 1, 1],
        [1, 2, 0],
      ],
    });
  });

  it("computes accuracy, per-class precision/recall/F1 and macro F1", () => {
    const metrics = labelMetrics(pairs);
    expect(metrics.total).toBe(8);
    expect(metrics.correct).toBe(5);
    expect(metrics.accuracy).toBeCloseTo(5 / 8);
    const [cat, dog] = metrics.perClass;
    // cat: tp 3, predicted 4, support 5 → p 0.75, r 0.6, f1 = 2·0.45/1.35 = 2/3
    expect(cat).toMatchObject({ label: "cat", support: 5, predicted: 4 });
    expect(cat?.precision).toBeCloseTo(0.75);
    expect(cat?.recall).toBeCloseTo(0.6);
    expect(cat?.f1).toBeCloseTo(2 / 3);
    // dog: tp 2, predicted 3, support 3 → p 2/3, r 2/3, f1 2/3
    expect(dog?.precision).toBeCloseTo(2 / 3);
    expect(dog?.recall).toBeCloseTo(2 / 3);
    expect(dog?.f1).toBeCloseTo(2 / 3);
    expect(metrics.macroF1).toBeCloseTo(2 / 3);
  });

  it("uses the given classes, with zeros for a class never predicted nor expected", () => {
    const metrics = labelMetrics([{ expected: "yes", predicted: "yes" }], ["yes", "no"]);
    expect(metrics.confusion.counts).toEqual([
      [1, 0, 0],
      [0, 0, 0],
    ]);
    expect(metrics.perClass[1]).toMatchObject({ label: "no", precision: 0, recall: 0, f1: 0, support: 0 });
    expect(metrics.macroF1).toBeCloseTo(0.5);
  });

  it("rejects an expected label outside the given classes, naming the pair", () => {
    expect(() => labelMetrics([{ expected: "maybe", predicted: "yes" }], ["yes", "no"])).toThrow(
      'Pair 1: the expected label "maybe" is not one of the classes',
    );
  });

  it("names the column for stray outputs differently when a class is called other", () => {
    expect(labelMetrics([{ expected: "other", predicted: "x" }]).confusion.columns).toEqual(["other", "(other)"]);
  });
});
