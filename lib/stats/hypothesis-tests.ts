import { binomialTestPValue } from "./distributions.ts";
import { checkCount } from "./validate.ts";
import { AppError } from "../errors.ts";

/**
 * Exact McNemar test for paired pass/fail: only discordant cases carry information, and under "no difference"
 * each is equally likely to favour A or B, so the p-value is a two-sided exact binomial test on onlyA of
 * onlyA + onlyB at ½ (R `exact2x2::mcnemar.exact`, `binom.test(onlyA, onlyA + onlyB)`). No discordant pairs: p = 1.
 */
export function mcnemarExact(onlyA: number, onlyB: number): { pValue: number } {
  checkCount(onlyA, "onlyA");
  checkCount(onlyB, "onlyB");
  return { pValue: binomialTestPValue(onlyA, onlyA + onlyB, 0.5) };
}

/** Two-sided sign test on wins and losses (the caller drops ties): exact binomial at ½. */
export function signTest(wins: number, losses: number): { pValue: number } {
  checkCount(wins, "wins");
  checkCount(losses, "losses");
  return { pValue: binomialTestPValue(wins, wins + losses, 0.5) };
}

/**
 * Holm–Bonferroni step-down adjusted p-values, in input order (R `p.adjust(p, "holm")`): controls the
 * family-wise error rate when several variants are compared, without Bonferroni's loss of power.
 */
export function holm(pValues: readonly number[]): number[] {
  pValues.forEach((value, index) => {
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
      throw new AppError("bad_request", "statistics", "p-values must be in [0, 1]", [
        { path: `pValues[${index}]`, message: `got ${String(value)}` },
      ]);
    }
  });
  const m = pValues.length;
  const order = pValues.map((_, index) => index).sort((left, right) => (pValues[left] as number) - (pValues[right] as number));
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((originalIndex, rank) => {
    // The running maximum keeps adjusted p-values in the same order as the raw ones.
    running = Math.max(running, Math.min(1, (m - rank) * (pValues[originalIndex] as number)));
    adjusted[originalIndex] = running;
  });
  return adjusted;
}
