import { z } from "zod";

// Inputs of the Models page, shared by its routes and its form.

/** A name the model is served under: what goes in `model` of an OpenAI request, so no spaces or slashes. */
export const localModelName = z
  .string()
  .trim()
  .min(1, "Give the model a name")
  .max(100, "At most 100 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/, "Letters, digits and . _ : @ + - only, starting with a letter or digit");

export const registerLocalModelInput = z.object({
  path: z
    .string()
    .trim()
    .min(1, "Give the path of a .gguf file")
    .max(4096, "The path is too long")
    .refine((value) => value.startsWith("/") || value === "~" || value.startsWith("~/"), {
      message: "Give the absolute path of the .gguf file on the machine Assay runs on (it starts with / or ~/)",
    }),
  /** default: the file name without .gguf */
  name: localModelName.optional(),
});
export type RegisterLocalModelInput = z.infer<typeof registerLocalModelInput>;

export const measureLocalModelInput = z.object({ name: localModelName });
export type MeasureLocalModelInput = z.infer<typeof measureLocalModelInput>;
