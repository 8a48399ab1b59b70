import type { ComparisonData, LoadedCase, LoadedResult } from "@/lib/compare/aggregate.ts";
import type { CompareVariant } from "@/lib/compare/types.ts";

// Builds comparison data as the loader would, for variants and cases described by small functions.

export function variant(index: number, overrides: Partial<CompareVariant> = {}): CompareVariant {
  const letter = String.fromCharCode(65 + index);
  return {
    id: `variant-${letter}`,
    letter,
    label: `Variant ${letter}`,
    runId: "run-1",
    runName: "Run 1",
    runStatus: "completed",
    runCreatedAt: "2026-01-01T00:00:00.000Z",
    repeats: 1,
    suiteId: "suite-1",
    suiteName: "Suite",
    model: "fake-echo",
    connectionName: "Fake",
    promptName: "prompt",
    versionNumber: index + 1,
    examples: 0,
    counterexamples: 0,
    ...overrides,
  };
}

export function result(variantIndex: number, caseIndex: number, overrides: Partial<LoadedResult> = {}): LoadedResult {
  return {
    variant: variantIndex,
    case: caseIndex,
    repeat: 0,
    pass: true,
    score: 1,
    latencyMs: 500,
    ttftMs: 100,
    inputTokens: 50,
    outputTokens: 20,
    cost: 0.0001,
    cached: false,
    error: null,
    outputHash: `hash-${caseIndex}`,
    ...overrides,
  };
}

export function cases(count: number, tags: (index: number) => string[] = () => []): LoadedCase[] {
  return Array.from({ length: count }, (_, index) => ({ key: `case-${String(index).padStart(4, "0")}`, position: index, tags: tags(index), input: `text: ${index}` }));
}

export function data(variantCount: number, caseList: LoadedCase[], results: LoadedResult[]): ComparisonData {
  return { variants: Array.from({ length: variantCount }, (_, index) => variant(index)), cases: caseList, results, final: true };
}
