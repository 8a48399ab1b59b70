import { AppError } from "../errors.ts";
import { normalQuantile } from "./distributions.ts";
import { checkCount, checkProbability } from "./validate.ts";

/**
 * Wilson score interval for a proportion (no continuity correction), as scipy's
 * `binomtest(k, n).proportion_ci(method="wilson")`. Unlike the Wald interval it stays inside [0, 1] and keeps its
 * coverage near 0 % and 100 % pass rates. With no trials nothing is known: [0, 1].
 */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): { low: number; high: number } {
  checkCount(successes, "successes");
  checkCount(trials, "trials");
  checkProbability(confidence, "confidence", { open: true });
  if (successes > trials) {
    throw new AppError("bad_request", "statistics", "successes cannot exceed trials", [
      { path: "successes", message: `${successes} successes in ${trials} trials` },
    ]);
  }
  if (trials === 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const proportion = successes / trials;
  const denominator = 1 + z2 / trials;
  const center = (proportion + z2 / (2 * trials)) / denominator;
  const halfWidth =
    (z / denominator) * Math.sqrt((proportion * (1 - proportion)) / trials + z2 / (4 * trials * trials));
  return {
    // At 0 or n successes the bound is exactly 0 or 1; rounding must not leave it a hair off.
    low: successes === 0 ? 0 : Math.max(0, center - halfWidth),
    high: successes === trials ? 1 : Math.min(1, center + halfWidth),
  };
}
