import { describe, expect, it } from "vitest";
import { costOf, inputCostOf, sumCosts } from "../../../lib/prompts/cost.ts";

describe("costOf", () => {
  it("prices input and output tokens per million without float surprises", () => {
    // summing tokens * price / 1e6 in floats gives 0.008754999999999999 and 0.0000017000000000000002 here
    expect(costOf({ inputTokens: 1234, outputTokens: 567 }, { inputPricePerM: 2.5, outputPricePerM: 10 })).toBe(0.008755);
    expect(costOf({ inputTokens: 3, outputTokens: 7 }, { inputPricePerM: 0.1, outputPricePerM: 0.2 })).toBe(0.0000017);
    expect(costOf({ inputTokens: 1000, outputTokens: 0 }, { inputPricePerM: 0.15, outputPricePerM: 0.6 })).toBe(0.00015);
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, { inputPricePerM: 1.25, outputPricePerM: 10 })).toBe(11.25);
    expect(costOf({ inputTokens: 12_345, outputTokens: 0 }, { inputPricePerM: 0.0375, outputPricePerM: 0.3 })).toBe(0.0004629375);
  });

  it("is zero for zero tokens and for free models", () => {
    expect(costOf({ inputTokens: 0, outputTokens: 0 }, { inputPricePerM: 5, outputPricePerM: 15 })).toBe(0);
    expect(costOf({ inputTokens: 500, outputTokens: 20 }, { inputPricePerM: 0, outputPricePerM: 0 })).toBe(0);
  });

  it("is null, not zero, when usage or a price is unknown", () => {
    expect(costOf({ inputTokens: null, outputTokens: 10 }, { inputPricePerM: 1, outputPricePerM: 1 })).toBeNull();
    expect(costOf({ inputTokens: 10, outputTokens: undefined }, { inputPricePerM: 1, outputPricePerM: 1 })).toBeNull();
    expect(costOf({ inputTokens: 10, outputTokens: 10 }, { inputPricePerM: null, outputPricePerM: 1 })).toBeNull();
    expect(costOf({ inputTokens: 10, outputTokens: 10 }, { inputPricePerM: 1, outputPricePerM: undefined })).toBeNull();
    expect(costOf({ inputTokens: -1, outputTokens: 10 }, { inputPricePerM: 1, outputPricePerM: 1 })).toBeNull();
    expect(costOf({ inputTokens: Number.NaN, outputTokens: 10 }, { inputPricePerM: 1, outputPricePerM: 1 })).toBeNull();
  });

  it("prices the input alone for the editor's estimate", () => {
    expect(inputCostOf(1234, 2.5)).toBe(0.003085);
    expect(inputCostOf(1234, null)).toBeNull();
  });
});

describe("sumCosts", () => {
  it("adds many small costs exactly", () => {
    expect(sumCosts(Array.from({ length: 10 }, () => 0.1))).toBe(1);
    expect(sumCosts([0.008755, 0.003085, 0.00015])).toBe(0.01199);
    expect(sumCosts([])).toBe(0);
  });

  it("is unknown when any cost is unknown", () => {
    expect(sumCosts([0.1, null, 0.2])).toBeNull();
  });
});
