import type { CurvePoint } from "./types.ts";

// The coverage–agreement curve of a cascade: the student answers a row when its confidence (the probability of its
// answer; for a fields task the lowest of its heads') is at least the threshold, the teacher answers the rest. With
// the teacher as the reference, the cascade disagrees only on covered rows where the student is wrong, so
// agreement(t) = 1 − wrong covered rows / all rows. One point per distinct confidence, highest threshold first, plus
// the point "teacher only" (threshold above every confidence: coverage 0, agreement 1).

export interface ScoredRow {
  confidence: number;
  /** the student's answer equals the teacher's */
  agrees: boolean;
}

export function coverageAgreementCurve(rows: readonly ScoredRow[]): CurvePoint[] {
  const n = rows.length;
  if (n === 0) return [];
  const sorted = [...rows].sort((a, b) => b.confidence - a.confidence);
  const points: CurvePoint[] = [{ threshold: Math.min(1, sorted[0]!.confidence + 1e-9), coverage: 0, agreement: 1 }];
  let covered = 0;
  let wrong = 0;
  for (let index = 0; index < n; ) {
    const threshold = sorted[index]!.confidence;
    // rows tied at this confidence are covered together
    while (index < n && sorted[index]!.confidence === threshold) {
      covered++;
      if (!sorted[index]!.agrees) wrong++;
      index++;
    }
    points.push({ threshold, coverage: covered / n, agreement: 1 - wrong / n });
  }
  return points;
}

/**
 * The lowest threshold (the most rows answered by the student) whose agreement is at least the target. Agreement
 * only falls as the threshold falls, except where it stays level, so this is the last point at or above the target.
 * With no point below 1 reaching it, the answer is "teacher only" (coverage 0).
 */
export function pickThreshold(curve: readonly CurvePoint[], targetAgreement: number): CurvePoint | null {
  let picked: CurvePoint | null = null;
  for (const point of curve) {
    if (point.agreement >= targetAgreement - 1e-12) picked = point;
    else break;
  }
  return picked;
}
