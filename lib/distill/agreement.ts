// Agreement of the student with the teacher on held-out rows: exact match, Cohen's κ with a 95 % interval (the
// large-sample standard error of Cohen 1960: √(p₀(1−p₀)/(n(1−pₑ)²))), and the confusion matrix (rows: teacher,
// columns: student).

export interface Agreement {
  n: number;
  exactMatch: number;
  kappa: number;
  kappaInterval: [number, number];
  classes: string[];
  /** confusion[teacher][student] counts, indexed like classes */
  confusion: number[][];
}

export function agreementOf(classes: string[], pairs: { teacher: number; student: number }[]): Agreement {
  const k = classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const pair of pairs) confusion[pair.teacher]![pair.student]!++;
  const n = pairs.length;
  if (n === 0) return { n, exactMatch: 0, kappa: 0, kappaInterval: [0, 0], classes, confusion };
  let agree = 0;
  for (let c = 0; c < k; c++) agree += confusion[c]![c]!;
  const observed = agree / n;
  let expected = 0;
  for (let c = 0; c < k; c++) {
    const teacherShare = confusion[c]!.reduce((sum, count) => sum + count, 0) / n;
    const studentShare = confusion.reduce((sum, row) => sum + row[c]!, 0) / n;
    expected += teacherShare * studentShare;
  }
  // Both raters using one class throughout: chance agreement is 1 and κ is undefined; report agreement as κ 1 or 0.
  if (expected >= 1) {
    const kappa = observed === 1 ? 1 : 0;
    return { n, exactMatch: observed, kappa, kappaInterval: [kappa, kappa], classes, confusion };
  }
  const kappa = (observed - expected) / (1 - expected);
  const standardError = Math.sqrt((observed * (1 - observed)) / (n * (1 - expected) ** 2));
  const clamp = (value: number) => Math.max(-1, Math.min(1, value));
  return {
    n,
    exactMatch: observed,
    kappa,
    kappaInterval: [clamp(kappa - 1.96 * standardError), clamp(kappa + 1.96 * standardError)],
    classes,
    confusion,
  };
}
