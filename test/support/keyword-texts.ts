import { seededRandom } from "../../lib/distill/random.ts";

// Support tickets made from a seeded generator, and the keyword rule a fake teacher labels them by: a ticket that
// mentions a refund is "billing", a crash "bug", a password "account", anything else "other". Filler words are
// shared by all classes, so only the keywords (in several inflections) tell the classes apart.

const KEYWORDS: Record<string, string[]> = {
  billing: ["refund", "refunds", "refunded", "invoice", "invoices", "charged"],
  bug: ["crash", "crashes", "crashed", "error", "errors", "broken"],
  account: ["password", "passwords", "login", "locked", "username"],
};
const FILLER = "please help me today the app my team since yesterday again with our order this is urgent hello thanks".split(" ");

export const KEYWORD_CLASSES = ["account", "billing", "bug", "other"];

export function keywordLabel(text: string): string {
  const words = text.toLowerCase().split(/[^a-z]+/);
  for (const [label, keywords] of Object.entries(KEYWORDS)) if (keywords.some((keyword) => words.includes(keyword))) return label;
  return "other";
}

export function keywordTexts(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const labels = KEYWORD_CLASSES;
  return Array.from({ length: count }, () => {
    const label = pick(labels);
    const words = Array.from({ length: 4 + Math.floor(random() * 6) }, () => pick(FILLER));
    if (label !== "other") words.splice(Math.floor(random() * words.length), 0, pick(KEYWORDS[label]!));
    return words.join(" ");
  });
}
