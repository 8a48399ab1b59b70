import { describe, expect, it } from "vitest";
import { agreementOf } from "../../../lib/distill/agreement.ts";
import { answerText, ClassifierStudent } from "../../../lib/distill/classifier.ts";
import { stratifiedSplit } from "../../../lib/distill/split.ts";
import { detectTask } from "../../../lib/distill/task.ts";
import { distill } from "../../../lib/distill/train.ts";
import { expectAppError } from "../../support/app-error.ts";
import { keywordLabel, keywordTexts } from "../../support/keyword-texts.ts";

const labelled = (count: number, seed: number) => keywordTexts(count, seed).map((input) => ({ input, output: keywordLabel(input) }));

describe("task detection", () => {
  it("recognizes a label task and its classes", () => {
    const task = detectTask([{ output: "yes" }, { output: " no" }, { output: "yes\n" }]);
    expect(task).toEqual({ kind: "label", heads: [{ field: null, values: ["no", "yes"] }] });
  });

  it("recognizes a fields task with an enumeration and a boolean", () => {
    const task = detectTask([{ output: '{"tone":"calm","urgent":false}' }, { output: '{"tone":"angry","urgent":true}' }]);
    expect(task).toEqual({
      kind: "fields",
      heads: [
        { field: "tone", values: ["angry", "calm"] },
        { field: "urgent", values: [false, true] },
      ],
    });
  });

  it("refuses free text for a classifier, saying why", () => {
    const rows = Array.from({ length: 30 }, (_, index) => ({ output: `A sentence number ${index}` }));
    expectAppError(() => detectTask(rows), "bad_request", /free text \(30 distinct outputs over 30 rows\).*language-model student/);
  });

  it("refuses a JSON field that is a number, naming the field and row", () => {
    expectAppError(() => detectTask([{ output: '{"tone":"calm"}' }, { output: '{"tone":3}' }]), "bad_request", /Field "tone".*row 2 is 3/);
  });
});

describe("stratified split", () => {
  it("holds out 20 % of each class, at least one", () => {
    const items = [...Array(10).fill("a"), ...Array(5).fill("b"), ...Array(3).fill("c")] as string[];
    const { train, heldOut } = stratifiedSplit(items, (item) => item, 0.2, 7);
    expect(heldOut.filter((item) => item === "a")).toHaveLength(2);
    expect(heldOut.filter((item) => item === "b")).toHaveLength(1);
    expect(heldOut.filter((item) => item === "c")).toHaveLength(1);
    expect(train).toHaveLength(14);
  });
});

describe("agreement", () => {
  it("computes exact match, Cohen's κ with its interval and the confusion matrix", () => {
    // teacher/student: 4 × (0,0), 1 × (0,1), 1 × (1,0), 4 × (1,1): p0 = 0.8, pe = 0.5, κ = 0.6,
    // SE = √(0.8·0.2 / (10·0.25)) = 0.25298, interval 0.6 ± 0.49585.
    const pairs = [
      ...Array(4).fill({ teacher: 0, student: 0 }),
      { teacher: 0, student: 1 },
      { teacher: 1, student: 0 },
      ...Array(4).fill({ teacher: 1, student: 1 }),
    ];
    const result = agreementOf(["no", "yes"], pairs);
    expect(result.exactMatch).toBeCloseTo(0.8, 10);
    expect(result.kappa).toBeCloseTo(0.6, 10);
    expect(result.kappaInterval[0]).toBeCloseTo(0.10415, 4);
    expect(result.kappaInterval[1]).toBeCloseTo(1, 10); // 1.0958 clamped
    expect(result.confusion).toEqual([
      [4, 1],
      [1, 4],
    ]);
  });
});

describe("classifier student", () => {
  it("learns a keyword label task: ≥ 95 % held-out agreement", () => {
    const { metrics } = distill(labelled(800, 3));
    expect(metrics.task).toBe("label");
    expect(metrics.heldOutRows).toBe(160);
    expect(metrics.exactMatch).toBeGreaterThanOrEqual(0.95);
    expect(metrics.heads[0]!.kappa).toBeGreaterThan(0.9);
  });

  it("is deterministic with a seed and survives serialization", () => {
    const rows = labelled(300, 5);
    const first = distill(rows, { seed: 9 });
    const second = distill(rows, { seed: 9 });
    expect(JSON.stringify(first.classifier.serialize())).toBe(JSON.stringify(second.classifier.serialize()));
    const restored = ClassifierStudent.deserialize(JSON.parse(JSON.stringify(first.classifier.serialize())));
    const input = "my invoice was charged twice";
    expect(restored.predict(input)).toEqual(first.classifier.predict(input));
    expect(answerText(restored.predict(input))).toBe("billing");
    const probabilities = restored.predict(input)[0]!.probabilities;
    expect(probabilities.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 6);
  });

  it("learns a fields task with one head per field", () => {
    const rows = keywordTexts(400, 11).map((input) => {
      const label = keywordLabel(input);
      return { input, output: JSON.stringify({ team: label === "bug" ? "engineering" : "support", money: label === "billing" }) };
    });
    const { classifier, metrics } = distill(rows);
    expect(metrics.task).toBe("fields");
    expect(metrics.heads.map((head) => head.field)).toEqual(["money", "team"]);
    expect(metrics.exactMatch).toBeGreaterThanOrEqual(0.95);
    expect(JSON.parse(answerText(classifier.predict("the app crashed again")))).toEqual({ money: false, team: "engineering" });
  });

  it("refuses too few examples per class, naming the class and its count", () => {
    const rows = [...labelled(60, 2).filter((row) => row.output !== "account"), ...Array(3).fill({ input: "password reset", output: "account" })];
    expectAppError(() => distill(rows), "bad_request", /Too few examples per class: "account" \(3\); .*at least 5/);
  });

  it("refuses a row without an output, naming the row", () => {
    expectAppError(() => distill([{ input: "a", output: "x" }, { input: "b" }]), "bad_request", /Row 2 needs "input" and "output"/);
  });
});

describe("stored classifier", () => {
  it("refuses an artifact that is not a stored classifier", () => {
    expect(() => ClassifierStudent.deserialize({ format: "other" })).toThrow("Not a stored classifier student (format assay-classifier-1 expected)");
    const good = distill(labelled(100, 8)).classifier.serialize();
    const truncated = { ...good, heads: good.heads.map((head) => ({ ...head, weights: head.weights.slice(0, 16) })) };
    expect(() => ClassifierStudent.deserialize(truncated)).toThrow(/head 0 has \d+ weights for \d+ rows × 4 classes/);
    const ragged = { ...good, heads: good.heads.map((head) => ({ ...head, weights: head.weights.slice(0, 7) })) };
    expect(() => ClassifierStudent.deserialize(ragged)).toThrow("head 0 has rows or weights that are not whole 4-byte numbers");
  });
});
