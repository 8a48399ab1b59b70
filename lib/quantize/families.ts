import { isQuantizable, QUANT_TYPE_INFO } from "./type-info.ts";

// Model families on the Models page (client-safe): a base model and the <base>-<type> versions the Quantize action wrote.

export interface ModelFamily {
  base: string;
  variants: Array<{ name: string; type: string }>;
}

/** Families: each quantizable model with at least one <name>-<type> model beside it. */
export function modelFamilies(models: ReadonlyArray<{ name: string; quantization: string | null; problem: string | null }>): ModelFamily[] {
  const usable = models.filter((model) => model.problem === null);
  const names = new Set(usable.map((model) => model.name));
  const families: ModelFamily[] = [];
  for (const model of usable) {
    if (!isQuantizable(model.quantization)) continue;
    const variants = QUANT_TYPE_INFO.map((info) => info.type)
      .filter((type) => names.has(`${model.name}-${type}`))
      .map((type) => ({ name: `${model.name}-${type}`, type }));
    if (variants.length > 0) families.push({ base: model.name, variants });
  }
  return families;
}

