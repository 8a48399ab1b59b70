import { AppError } from "../errors.ts";
import type { PromptContent } from "../prompts/types.ts";

// Which variants an ablation runs: pure, so the form can show the plan before anything is created.

export interface AblationVariant {
  label: string;
  prompt: PromptContent;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The variants of an ablation, zero-shot first (the baseline), then more and more shots. */
export function planAblation(content: PromptContent, exampleSweep: boolean): AblationVariant[] {
  const { examples, counterexamples } = content;
  if (examples.length === 0 && counterexamples.length === 0) {
    throw new AppError(
      "bad_request",
      "ablation",
      "versionId: this version has no examples or counterexamples, so there is nothing to ablate; add some in the prompt studio first.",
      [{ path: "versionId", message: "no examples or counterexamples" }],
    );
  }
  const variant = (label: string, shots: number, withCounterexamples: boolean): AblationVariant => ({
    label,
    prompt: { ...content, examples: examples.slice(0, shots), counterexamples: withCounterexamples ? counterexamples : [] },
  });
  const variants = [variant("zero-shot", 0, false)];
  if (exampleSweep) {
    for (let k = 1; k < examples.length; k++) variants.push(variant(`first ${plural(k, "example")}`, k, false));
  }
  const allExamples = examples.length === 1 ? "the example" : examples.length === 2 ? "both examples" : `all ${examples.length} examples`;
  if (examples.length > 0) variants.push(variant(allExamples, examples.length, false));
  if (counterexamples.length > 0) {
    const label = examples.length > 0 ? `${plural(examples.length, "example")} + ${plural(counterexamples.length, "counterexample")}` : `${plural(counterexamples.length, "counterexample")} only`;
    variants.push(variant(label, examples.length, true));
  }
  return variants;
}

