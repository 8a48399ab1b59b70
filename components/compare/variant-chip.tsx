import type { CompareVariant } from "@/lib/compare/types";
import { variantColor } from "./palette";

export function LetterBadge({ letter, index, size = "md" }: { letter: string; index: number; size?: "sm" | "md" }) {
  const dimension = size === "sm" ? "h-4 w-4 text-[10px]" : "h-5 w-5 text-xs";
  return (
    <span className={`inline-flex shrink-0 items-center justify-center rounded font-bold text-white ${dimension}`} style={{ backgroundColor: variantColor(index) }} aria-label={`variant ${letter}`}>
      {letter}
    </span>
  );
}

export function variantDescription(variant: CompareVariant): string {
  const prompt = variant.promptName ? `${variant.promptName}${variant.versionNumber ? ` v${variant.versionNumber}` : ""}` : "inline prompt";
  const shots = variant.examples + variant.counterexamples > 0 ? ` · ${variant.examples} ex. / ${variant.counterexamples} counter` : " · zero-shot";
  return `${prompt} · ${variant.connectionName ? `${variant.connectionName} / ` : ""}${variant.model}${shots}`;
}

export function VariantChip({ variant, index }: { variant: CompareVariant; index: number }) {
  return (
    <span className="inline-flex min-w-0 items-center gap-1.5" title={variantDescription(variant)}>
      <LetterBadge letter={variant.letter} index={index} />
      <span className="truncate font-medium text-slate-800">{variant.label}</span>
    </span>
  );
}
