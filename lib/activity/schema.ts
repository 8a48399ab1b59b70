import { z } from "zod";
import { ACTIVITY_KINDS } from "./record.ts";
import { KIND_GROUP_NAMES } from "./types.ts";

// The feed's query, shared by the API route and the page (which reads the same names from its URL).

const KIND_WORDS: readonly string[] = [...KIND_GROUP_NAMES, ...ACTIVITY_KINDS];

// An empty value (`?actor=`, as a form sends "Everyone") means no filter, not an error.
const id = z
  .string()
  .trim()
  .max(200, "at most 200 characters")
  .transform((value) => value || undefined);

export const activityQuery = z.object({
  /** a member's user id */
  actor: id.optional(),
  /** a prompt id */
  prompt: id.optional(),
  /** kind groups (prompts, runs, reviews, labels, members, releases) or exact kinds, comma-separated */
  kind: z
    .string()
    .trim()
    .max(500)
    .transform((value) => value.split(",").map((word) => word.trim()).filter(Boolean))
    .superRefine((words, context) => {
      const unknown = words.filter((word) => !KIND_WORDS.includes(word));
      if (unknown.length > 0) {
        context.addIssue({ code: "custom", message: `unknown kind ${unknown.map((word) => `"${word}"`).join(", ")}; use ${KIND_GROUP_NAMES.join(", ")} or an event kind` });
      }
    })
    .optional(),
  /** the previous page's nextCursor */
  cursor: z
    .string()
    .trim()
    .max(200, "at most 200 characters")
    .transform((value) => value || undefined)
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type ActivityQuery = z.output<typeof activityQuery>;
export type ActivityQueryInput = z.input<typeof activityQuery>;
