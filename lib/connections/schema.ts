import { z } from "zod";

// Shared by route handlers, the CLI and the connection form.

export const connectionKind = z.enum(["openai_compatible", "local"]);

const price = z
  .number({ error: "A price is a number of dollars per million tokens" })
  .min(0, "A price cannot be negative")
  .max(10_000, "A price above $10,000 per million tokens is surely a typo");

export const connectionModelInput = z.object({
  name: z.string().trim().min(1, "Give the model's name as the API knows it").max(200),
  contextWindow: z
    .number()
    .int("The context window is a whole number of tokens")
    .positive("The context window must be positive")
    .max(100_000_000)
    .nullable()
    .optional(),
  inputPricePerM: price.nullable().optional(),
  outputPricePerM: price.nullable().optional(),
});

export const connectionModelsInput = z
  .array(connectionModelInput)
  .max(2_000, "At most 2,000 models per connection")
  .superRefine((models, context) => {
    const seen = new Set<string>();
    models.forEach((item, index) => {
      if (seen.has(item.name)) {
        context.addIssue({ code: "custom", path: [index, "name"], message: `${item.name} is listed twice` });
      }
      seen.add(item.name);
    });
  });

export const baseUrl = z
  .string()
  .trim()
  .min(1, "Give the API's base URL, e.g. https://api.openai.com/v1")
  .max(2_000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
    } catch {
      // Unparseable is simply invalid input: the refinement's message below tells the user what is expected.
      return false;
    }
  }, "The base URL must be an http:// or https:// address, e.g. https://api.openai.com/v1");

const limits = {
  concurrency: z.number().int().min(1, "Concurrency is at least 1").max(1_000),
  rpm: z.number().int().positive("Requests per minute must be positive").nullable(),
  tpm: z.number().int().positive("Tokens per minute must be positive").nullable(),
  timeoutMs: z.number().int().min(1_000, "The timeout is at least 1,000 ms").max(3_600_000, "The timeout is at most an hour"),
};

const fields = {
  name: z.string().trim().min(1, "Name the connection").max(100, "Keep the name under 100 characters"),
  kind: connectionKind,
  preset: z.string().trim().max(50).nullable(),
  baseUrl,
  /** the plain key, sent once by the form; never returned */
  apiKey: z.string().trim().max(4_000).nullable(),
};

export const createConnectionInput = z.object({
  name: fields.name,
  kind: fields.kind.default("openai_compatible"),
  preset: fields.preset.optional(),
  baseUrl: fields.baseUrl,
  apiKey: fields.apiKey.optional(),
  concurrency: limits.concurrency.default(4),
  rpm: limits.rpm.optional(),
  tpm: limits.tpm.optional(),
  timeoutMs: limits.timeoutMs.default(60_000),
  models: connectionModelsInput.default([]),
});

/**
 * Every field optional. `apiKey`: omitted keeps the stored key, "" or null removes it, any other value replaces it.
 * `models`, when given, replaces the whole list.
 */
export const updateConnectionInput = z.object({
  name: fields.name.optional(),
  kind: fields.kind.optional(),
  preset: fields.preset.optional(),
  baseUrl: fields.baseUrl.optional(),
  apiKey: fields.apiKey.optional(),
  concurrency: limits.concurrency.optional(),
  rpm: limits.rpm.optional(),
  tpm: limits.tpm.optional(),
  timeoutMs: limits.timeoutMs.optional(),
  models: connectionModelsInput.optional(),
});

/** For "Test connection" before saving: a typed key, or the stored one of an existing connection. */
export const testConnectionInput = z.object({
  baseUrl: fields.baseUrl,
  apiKey: fields.apiKey.optional(),
  connectionId: z.string().optional(),
  timeoutMs: z.number().int().min(500).max(120_000).optional(),
});

export type ConnectionModelInput = z.input<typeof connectionModelInput>;
export type CreateConnectionInput = z.input<typeof createConnectionInput>;
export type UpdateConnectionInput = z.input<typeof updateConnectionInput>;
export type TestConnectionInput = z.input<typeof testConnectionInput>;
