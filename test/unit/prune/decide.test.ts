import { describe, expect, it } from "vitest";
import { compareToFull, keepOnly, leastHurtful, pruneItems } from "../../../lib/prune/decide.ts";
import type { PromptContent } from "../../../lib/prompts/types.ts";

function outcomes(passes: boolean[]): Map<string, boolean> {
  return new Map(passes.map((pass, index) => [`case-${index}`, pass]));
}

const content: PromptContent = {
  messages: [{ role: "user", content: "Classify: {{ text }}" }],
  examples: [
    { variables: { text: "a" }, output: "x" },
    { variables: { text: "b" }, output: "y" },
  ],
  counterexamples: [{ variables: { text: "c" }, output: "z", reason: "wrong" }],
  exampleMode: "chat",
};

describe("pruning decisions", () => {
  it("lists examples then counterexamples and keeps only the kept ones, in order", () => {
    const items = pruneItems(content);
    expect(items.map((item) => item.label)).toEqual(["example 1", "example 2", "counterexample 1"]);
    const kept = keepOnly(content, [items[2]!, items[1]!]);
    expect(kept.examples).toEqual([{ variables: { text: "b" }, output: "y" }]);
    expect(kept.counterexamples).toHaveLength(1);
  });

  it("accepts a drop of exactly the margin and refuses one beyond it", () => {
    const full = outcomes(Array.from({ length: 50 }, () => true));
    const oneFewer = outcomes(Array.from({ length: 50 }, (_, index) => index !== 0));
    const twoFewer = outcomes(Array.from({ length: 50 }, (_, index) => index > 1));
    const one = compareToFull(full, oneFewer, { marginPoints: 2, alpha: 0.05 });
    expect(one).toMatchObject({ cases: 50, fullPassRate: 1, candidatePassRate: 0.98, onlyFull: 1, onlyCandidate: 0, pValue: 1, notWorse: true });
    expect(one.dropPoints).toBeCloseTo(2, 9);
    const two = compareToFull(full, twoFewer, { marginPoints: 2, alpha: 0.05 });
    expect(two.dropPoints).toBeCloseTo(4, 9);
    expect(two.notWorse).toBe(false);
  });

  it("refuses a candidate the paired test shows worse, even within a wide margin", () => {
    const full = outcomes(Array.from({ length: 100 }, () => true));
    const tenFewer = outcomes(Array.from({ length: 100 }, (_, index) => index >= 10));
    const evidence = compareToFull(full, tenFewer, { marginPoints: 50, alpha: 0.05 });
    // McNemar exact, 10 discordant pairs all one way: 2 × 0.5^10
    expect(evidence.pValue).toBeCloseTo(0.001953125, 9);
    expect(evidence.notWorse).toBe(false);
  });

  it("counts a case the candidate did not answer as a failure", () => {
    const evidence = compareToFull(outcomes([true, true]), new Map([["case-0", true]]), { marginPoints: 2, alpha: 0.05 });
    expect(evidence.candidatePassRate).toBe(0.5);
    expect(evidence.notWorse).toBe(false);
  });

  it("takes the highest pass rate first, then the most tokens saved", () => {
    const items = pruneItems(content);
    const evidence = (candidatePassRate: number) => ({ cases: 10, fullPassRate: 1, candidatePassRate, dropPoints: 0, onlyFull: 0, onlyCandidate: 0, pValue: 1, notWorse: true });
    const best = leastHurtful([
      { item: items[0]!, evidence: evidence(0.9), inputTokensPerCall: 10 },
      { item: items[1]!, evidence: evidence(1), inputTokensPerCall: 40 },
      { item: items[2]!, evidence: evidence(1), inputTokensPerCall: 30 },
    ]);
    expect(best?.item.label).toBe("counterexample 1");
    expect(leastHurtful([])).toBeNull();
  });
});
