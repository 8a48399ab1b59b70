// Statistics for comparing variants: pure functions, no I/O, safe to import in server and client code.
export { createRng, DEFAULT_SEED } from "./random.ts";
export type { Rng } from "./random.ts";
export { ecdf, mean, median, quantile, quantileOfSorted, sortedCopy } from "./descriptive.ts";
export { binomialCdf, binomialPmf, binomialTestPValue, normalCdf, normalQuantile } from "./distributions.ts";
export { wilsonInterval } from "./intervals.ts";
export { holm, mcnemarExact, signTest } from "./hypothesis-tests.ts";
export { mannWhitneyExactCdf, mannWhitneyU } from "./mann-whitney.ts";
export { hodgesLehmannInterval, hodgesLehmannShift } from "./hodges-lehmann.ts";
export { pairedBootstrapMeanDiff, percentileDifferenceInterval, percentileInterval } from "./bootstrap.ts";
export type { BootstrapOptions } from "./bootstrap.ts";
export { sampleSizeForProportions } from "./power.ts";
export { chiSquareGoodnessOfFit, chiSquareSurvival, logGamma, regularizedGammaQ } from "./chi-square.ts";
