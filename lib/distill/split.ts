import { seededRandom, shuffle } from "./random.ts";

// A held-out split stratified by class: each class gives round(share × its count) rows to held-out, at least one,
// so every class is both learned and checked.

export function stratifiedSplit<T>(items: T[], stratum: (item: T) => string, share: number, seed: number): { train: T[]; heldOut: T[] } {
  if (!(share > 0 && share < 1)) throw new Error(`The held-out share must be between 0 and 1 (got ${share})`);
  const random = seededRandom(seed);
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = stratum(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = shuffle(groups.get(key)!, random);
    const count = Math.max(1, Math.round(group.length * share));
    heldOut.push(...group.slice(0, count));
    train.push(...group.slice(count));
  }
  return { train, heldOut };
}
