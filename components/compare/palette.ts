// One color per variant letter, the same in every plot and badge: blue and orange first (the pair most screens
// show), distinguishable for the common forms of color blindness.
const COLORS = ["#2563eb", "#ea580c", "#059669", "#9333ea", "#db2777", "#0891b2", "#ca8a04", "#475569", "#dc2626", "#0d9488", "#7c3aed", "#65a30d"];

export function variantColor(index: number): string {
  return COLORS[index % COLORS.length] as string;
}

/** "Better" depends on the metric: a higher pass rate is good, a higher latency is not. */
export type Direction = "higher" | "lower" | "neutral";
