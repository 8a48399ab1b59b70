// The quantization types the Quantize action offers, with a one-line explanation each. Client-safe (no node
// imports): the names must equal lib/quantize/llama-quantize.ts QUANT_TYPES (a unit test checks it).

export interface QuantTypeInfo {
  type: string;
  /** approximate bits per weight of the quantized tensors (norms stay F32) */
  bits: string;
  explanation: string;
}

export const QUANT_TYPE_INFO: readonly QuantTypeInfo[] = [
  { type: "Q8_0", bits: "8.5", explanation: "8-bit blocks of 32 with one scale: about a quarter of F32, next tokens almost always the same. The safe first step." },
  { type: "Q6_K", bits: "6.6", explanation: "K-quant, 6 bits in super-blocks of 256: close to Q8_0 in quality, about a fifth of F32." },
  { type: "Q5_K_M", bits: "5.7", explanation: "K-quant mix, 5 bits with the most sensitive tensors at 6: a common balance of size and quality." },
  { type: "Q5_0", bits: "5.5", explanation: "5-bit blocks of 32 with one scale (the older format; prefer Q5_K_M on widths that are multiples of 256)." },
  { type: "Q5_1", bits: "6.0", explanation: "5-bit blocks of 32 with a scale and an offset." },
  { type: "Q4_K_M", bits: "4.8", explanation: "K-quant mix, 4 bits with the most sensitive tensors at 6: the usual default for running large models on a CPU." },
  { type: "Q4_0", bits: "4.5", explanation: "4-bit blocks of 32 with one scale: small and fast, with a visible loss of quality." },
  { type: "Q4_1", bits: "5.0", explanation: "4-bit blocks of 32 with a scale and an offset." },
  { type: "Q3_K_M", bits: "3.9", explanation: "K-quant, 3 bits: smaller still; quality drops noticeably on small models." },
  { type: "Q2_K", bits: "3.4", explanation: "K-quant, 2 bits: the smallest; mostly useful to see how far quality falls." },
];

/** Quantization states llama.cpp quantizes from without requantizing (the model's own weights). */
export function isQuantizable(quantization: string | null): boolean {
  return quantization === null || ["F32", "F16", "BF16"].includes(quantization.toUpperCase());
}
