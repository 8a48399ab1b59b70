// Cost arithmetic in integer picodollars (1e-12 USD), so sums of many small costs don't drift: 1,234 tokens at
// $2.50/M is exactly 3,085,000,000 pd, and the result converts to the nearest double of the exact decimal (0.003085).
// Prices are per million tokens with up to 6 decimals, which covers every published price ($0.0375/M and the like).

const PICODOLLARS_PER_USD = 1e12;

export interface TokenUsage {
  inputTokens: number | null | undefined;
  outputTokens: number | null | undefined;
}

export interface ModelPrice {
  /** USD per million input tokens */
  inputPricePerM: number | null | undefined;
  /** USD per million output tokens */
  outputPricePerM: number | null | undefined;
}

function isKnownCount(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/** Picodollars per token for a price per million tokens: $2.50/M = 2,500,000 pd per token. */
function picodollarsPerToken(pricePerM: number): number {
  return Math.round(pricePerM * 1e6);
}

/**
 * USD cost of one call, or null when the usage or a price is unknown (unknown is not free). Zero tokens cost zero.
 * Negative or non-finite numbers count as unknown.
 */
export function costOf(usage: TokenUsage, price: ModelPrice): number | null {
  const { inputTokens, outputTokens } = usage;
  const { inputPricePerM, outputPricePerM } = price;
  if (!isKnownCount(inputTokens) || !isKnownCount(outputTokens)) return null;
  if (!isKnownCount(inputPricePerM) || !isKnownCount(outputPricePerM)) return null;
  const picodollars =
    Math.round(inputTokens) * picodollarsPerToken(inputPricePerM) + Math.round(outputTokens) * picodollarsPerToken(outputPricePerM);
  return picodollars / PICODOLLARS_PER_USD;
}

/** Cost of the input alone (the editor's estimate before a call), or null when unknown. */
export function inputCostOf(inputTokens: number | null | undefined, inputPricePerM: number | null | undefined): number | null {
  return costOf({ inputTokens, outputTokens: 0 }, { inputPricePerM, outputPricePerM: 0 });
}

/** Sum of costs without float drift; null if any is unknown (a total that hides unknown calls would understate). */
export function sumCosts(costs: readonly (number | null | undefined)[]): number | null {
  let picodollars = 0;
  for (const cost of costs) {
    if (typeof cost !== "number" || !Number.isFinite(cost)) return null;
    picodollars += Math.round(cost * PICODOLLARS_PER_USD);
  }
  return picodollars / PICODOLLARS_PER_USD;
}
