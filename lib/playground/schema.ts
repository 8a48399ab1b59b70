import { z } from "zod";
import { cappedArray, cappedString, limits } from "../limits.ts";
import { formatCount } from "../format.ts";

// The playground accepts an unsaved draft; it is validated with the same rules a saved version must pass.
const message = z.object({ role: z.enum(["system", "user", "assistant"]), content: cappedString(limits.messageCharacters) });
const variables = z
  .record(z.string().max(200), cappedString(limits.variableCharacters))
  .refine((values) => Object.keys(values).length <= limits.variables, `at most ${formatCount(limits.variables)} variables`);
const output = cappedString(limits.exampleOutputCharacters);
const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({ type: z.literal("json_schema"), name: z.string().min(1).max(64), schema: z.record(z.string(), z.unknown()), strict: z.boolean().optional() }),
]);

export const chatParams = z.object({
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
  topP: z.number().min(0).max(1).optional(),
  stop: z.array(z.string().min(1)).max(4).optional(),
  seed: z.number().int().optional(),
  responseFormat: responseFormat.optional(),
});

export const draftInput = z.object({
  messages: cappedArray(message, limits.messages, "messages").min(1, "A prompt needs at least one message"),
  examples: cappedArray(z.object({ variables, output }), limits.examples, "examples").default([]),
  counterexamples: cappedArray(z.object({ variables, output, reason: cappedString(300) }), limits.examples, "counterexamples").default([]),
  exampleMode: z.enum(["chat", "inline"]).default("chat"),
  connectionId: z.string().nullable().optional(),
  model: z.string().max(200).nullable().optional(),
  params: chatParams.default({}),
});
export type DraftInput = z.infer<typeof draftInput>;

export const previewInput = z.object({ draft: draftInput, variables: variables.default({}) });

export const playgroundRunInput = z.object({
  promptId: z.string().min(1),
  /** null: the draft is run as is; otherwise the stored version (the draft is ignored) */
  versionId: z.string().nullable(),
  draft: draftInput,
  variables: variables.default({}),
  targets: z
    .array(
      z.object({
        key: z.string().min(1).max(40),
        connectionId: z.string().min(1, "Choose a connection"),
        model: z.string().min(1, "Choose a model"),
        params: chatParams.partial().default({}),
      }),
    )
    .min(1, "Add at least one target")
    .max(4, "At most 4 targets run side by side"),
});
export type PlaygroundRunInput = z.infer<typeof playgroundRunInput>;
