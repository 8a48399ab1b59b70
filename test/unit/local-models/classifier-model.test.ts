import { describe, expect, it } from "vitest";
import { classifierPromptText, parseSupportCorpus, predictLabel, trainClassifierModel } from "../../../lib/local-models/classifier-model.ts";

// The demo classifier's arithmetic, on a corpus small enough to count by hand. Its agreement with llama.cpp on the
// GGUF it writes is checked in test/integration/demo-workspace.test.ts.

const corpus = ["billing\tRefund my payment.", "billing\tWrong invoice payment.", "bug\tThe app crashes.", "other\tHello team."].join("\n");

describe("demo classifier model", () => {
  const model = trainClassifierModel(corpus);

  it("puts classes in corpus order with other last, each answered by its bare label token", () => {
    expect(model.classes).toEqual(["billing", "bug", "other"]);
    expect(model.labelTokens.map((id) => model.vocabulary.tokens[id])).toEqual(["billing", "bug", "other"]);
  });

  it("gives a word seen in one class log(K·(c+α)/(c+K·α)) evidence for it, the same with and without a leading space or capital", () => {
    // "payment": twice in billing, K = 3 classes, α = 0.5: log(3 · 2.5 / 3.5)
    const expected = Math.log((3 * 2.5) / 3.5);
    for (const piece of ["▁payment", "payment", "▁Payment", "Payment"]) {
      const values = model.evidence.get(model.tokenizer.idOf(piece)!)!;
      expect(values[0]).toBeCloseTo(expected, 6);
      expect(values.slice(1)).toEqual([0, 0]);
    }
  });

  it("answers the class with the most evidence, other when nothing points elsewhere", () => {
    expect(predictLabel(model, "my payment please")).toBe("billing");
    expect(predictLabel(model, "it crashes")).toBe("bug");
    expect(predictLabel(model, "good morning")).toBe("other");
    // the whole context counts: examples in the prompt add their words' evidence
    const fewShot = classifierPromptText([
      { role: "user", content: "Refund my payment, wrong invoice" },
      { role: "assistant", content: "billing" },
      { role: "user", content: "it crashes" },
    ]);
    expect(predictLabel(model, fewShot)).toBe("billing");
  });

  it("names the line of a corpus that is not label<TAB>message", () => {
    expect(() => parseSupportCorpus("billing\tok\nno tab here")).toThrow(/line 2: expected "label<TAB>message"/);
  });
});
