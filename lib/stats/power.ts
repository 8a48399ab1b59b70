import { normalQuantile } from "./distributions.ts";
import { checkProbability } from "./validate.ts";

/**
 * Cases needed per variant to detect pass rates p1 vs p2 with a two-sided two-proportion z-test, rounded up.
 * Closed form of the equation R's `power.prop.test` solves numerically:
 *   √n · |p1 − p2| = z(1−α/2) · √(2 p̄ (1 − p̄)) + z(power) · √(p1(1 − p1) + p2(1 − p2)),  p̄ = (p1 + p2)/2.
 * Equal rates cannot be told apart by any number of cases: Infinity. Like R, the answer is at least 2.
 */
export function sampleSizeForProportions(
  p1: number,
  p2: number,
  options: { alpha?: number; power?: number } = {},
): number {
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? 0.8;
  checkProbability(p1, "p1");
  checkProbability(p2, "p2");
  checkProbability(alpha, "alpha", { open: true });
  checkProbability(power, "power", { open: true });
  const difference = Math.abs(p1 - p2);
  if (difference === 0) return Number.POSITIVE_INFINITY;
  const pooled = (p1 + p2) / 2;
  const root =
    (normalQuantile(1 - alpha / 2) * Math.sqrt(2 * pooled * (1 - pooled)) +
      normalQuantile(power) * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) /
    difference;
  const n = root > 0 ? root * root : 0;
  // A result like 77.000000000001 from rounding must not become 78.
  return Math.max(2, Math.ceil(n * (1 - 1e-12)));
}
