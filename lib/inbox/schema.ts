import { z } from "zod";

export const inboxQuery = z.object({
  /** only unread lines (the bell's panel shows everything, the page can filter) */
  unread: z.enum(["true", "false"]).optional().transform((value) => value === "true"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** a notification id: lines older than it (the page's "show older") */
  before: z.string().trim().min(1).max(200).optional(),
});
export type InboxQuery = z.input<typeof inboxQuery>;

export const markReadInput = z.union(
  [z.strictObject({ ids: z.array(z.string().trim().min(1).max(200)).min(1, "name at least one notification").max(500) }), z.strictObject({ all: z.literal(true) })],
  { error: "send { ids: [...] } or { all: true }" },
);
export type MarkReadInput = z.input<typeof markReadInput>;
