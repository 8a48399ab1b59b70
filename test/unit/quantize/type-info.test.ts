import { describe, expect, it } from "vitest";
import { QUANT_TYPES } from "../../../lib/quantize/llama-quantize.ts";
import { modelFamilies } from "../../../lib/quantize/families.ts";
import { isQuantizable, QUANT_TYPE_INFO } from "../../../lib/quantize/type-info.ts";

describe("the Quantize action's types", () => {
  it("offers exactly the types the quantizer binding accepts, each with an explanation", () => {
    expect(QUANT_TYPE_INFO.map((info) => info.type).sort()).toEqual(Object.keys(QUANT_TYPES).sort());
    for (const info of QUANT_TYPE_INFO) expect(info.explanation.length).toBeGreaterThan(20);
  });

  it("quantizes only unquantized weights (F32, F16, BF16)", () => {
    expect(["F32", "F16", "BF16"].map(isQuantizable)).toEqual([true, true, true]);
    expect(["Q8_0", "Q4_K_M"].map(isQuantizable)).toEqual([false, false]);
  });

  it("groups a base model with its <base>-<type> versions, skipping broken files and unrelated names", () => {
    const model = (name: string, quantization: string | null, problem: string | null = null) => ({ name, quantization, problem });
    const families = modelFamilies([
      model("tiny", "F32"),
      model("tiny-Q8_0", "Q8_0"),
      model("tiny-Q4_0", "Q4_0"),
      model("tiny-Q9_9", "Q4_0"),
      model("tiny-Q5_K_M", null, "not a GGUF file"),
      model("lonely", "F32"),
      model("quantized", "Q4_0"),
      model("quantized-Q8_0", "Q8_0"),
    ]);
    expect(families).toEqual([{ base: "tiny", variants: [{ name: "tiny-Q8_0", type: "Q8_0" }, { name: "tiny-Q4_0", type: "Q4_0" }] }]);
  });
});
