import { z } from "zod";

export const quantizeLocalModelInput = z.object({
  name: z.string().trim().min(1, "Give the local model to quantize").max(200, "The name is too long")
    // A name, never a path: the web app quantizes only models it already knows.
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/, "Give a local model's name, not a path")
    .refine((name) => !name.toLowerCase().endsWith(".gguf"), "Give a local model's name, not a file name"),
  type: z.string().trim().min(1, "Give a quantization type such as Q8_0 or Q4_K_M").max(20, "The type is too long"),
});
export type QuantizeLocalModelBody = z.infer<typeof quantizeLocalModelInput>;

export const measureTradeoffInput = z.object({
  name: z.string().trim().min(1, "Give the base local model of the family").max(200, "The name is too long")
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/, "Give a local model's name, not a path"),
});
