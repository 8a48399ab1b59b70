// Team-draft interleaving (Radlinski, Kurup & Joachims 2008) for prompts whose output is a ranked list: each round a
// coin says which arm picks first, and each arm adds its highest-ranked item not yet in the merged list. The merged
// list is returned with the arm of every item (its attribution); an interaction with item i credits attribution[i].
// A request prefers the arm whose items got more interactions; the verdict is a sign test over requests with a
// preference (lib/stats signTest), which is why interleaving needs far fewer requests than A/B.

export type ListFormat = { kind: "json" } | { kind: "numbered"; separator: "." | ")" };

export interface RankedList {
  /** as they appear: JSON values for a JSON array, the line text (without its number) for numbered lines */
  items: unknown[];
  format: ListFormat;
}

const NUMBERED = /^\s*(\d+)\s*([.)])\s+(.*\S)\s*$/;

/** A JSON array (possibly in a ```json fence), or numbered lines ("1. …" / "1) …"); null when the output is neither. */
export function parseRankedList(output: string): RankedList | null {
  const text = output.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n?```$/i, "$1").trim();
  if (text.startsWith("[")) {
    try {
      const value: unknown = JSON.parse(text);
      if (Array.isArray(value)) return { items: value, format: { kind: "json" } };
    } catch {
      // not JSON after all: numbered lines may still match below
    }
  }
  const items: string[] = [];
  let separator: "." | ")" | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const match = NUMBERED.exec(line);
    if (!match) return null;
    separator ??= match[2] as "." | ")";
    items.push(match[3]!);
  }
  return items.length > 0 && separator ? { items, format: { kind: "numbered", separator } } : null;
}

export function formatRankedList(items: readonly unknown[], format: ListFormat): string {
  if (format.kind === "json") return JSON.stringify(items);
  return items.map((item, index) => `${index + 1}${format.separator} ${String(item)}`).join("\n");
}

/** Two items are the same when their text matches, case and spacing aside. */
export function itemKey(item: unknown): string {
  const text = typeof item === "string" ? item : JSON.stringify(item);
  return text.trim().replace(/\s+/g, " ").toLowerCase();
}

export interface Interleaved<Arm extends string> {
  items: unknown[];
  /** the arm that contributed each item, in order */
  attribution: Arm[];
}

/**
 * Team draft over two rankings. `coin()` returns true when arm A picks first in a round. The merged list is as long
 * as the longer ranking's distinct items allow.
 */
export function teamDraft<Arm extends string>(
  a: { arm: Arm; items: readonly unknown[] },
  b: { arm: Arm; items: readonly unknown[] },
  coin: () => boolean,
): Interleaved<Arm> {
  const items: unknown[] = [];
  const attribution: Arm[] = [];
  const taken = new Set<string>();
  const next = { a: 0, b: 0 };
  const pick = (side: "a" | "b"): boolean => {
    const list = side === "a" ? a.items : b.items;
    while (next[side] < list.length) {
      const item = list[next[side]++];
      const key = itemKey(item);
      if (taken.has(key)) continue;
      taken.add(key);
      items.push(item);
      attribution.push(side === "a" ? a.arm : b.arm);
      return true;
    }
    return false;
  };
  let countA = 0;
  let countB = 0;
  for (;;) {
    const aLeft = a.items.slice(next.a).some((item) => !taken.has(itemKey(item)));
    const bLeft = b.items.slice(next.b).some((item) => !taken.has(itemKey(item)));
    if (!aLeft && !bLeft) break;
    // The team with fewer picks goes next; a tie is decided by the coin (the "draft" of team-draft).
    const aFirst = countA < countB || (countA === countB && coin());
    if (aFirst ? pick("a") : pick("b")) {
      if (aFirst) countA++;
      else countB++;
    } else if (aFirst ? pick("b") : pick("a")) {
      if (aFirst) countB++;
      else countA++;
    }
  }
  return { items, attribution };
}

/** +1 when the request's interactions favour `candidate`, −1 when they favour `stable`, 0 for no preference. */
export function preferenceOf(attribution: readonly string[], clickedItems: readonly number[], stable: string, candidate: string): -1 | 0 | 1 {
  let forCandidate = 0;
  let forStable = 0;
  for (const item of new Set(clickedItems)) {
    const arm = attribution[item];
    if (arm === candidate) forCandidate++;
    else if (arm === stable) forStable++;
  }
  return forCandidate > forStable ? 1 : forCandidate < forStable ? -1 : 0;
}
