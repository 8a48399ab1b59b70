import { z } from "zod";

// Inputs of the share-link routes and the share dialog.

export const SHARE_RESOURCES = ["version", "run", "comparison"] as const;
export type ShareResourceKind = (typeof SHARE_RESOURCES)[number];
export const SHARE_SCOPES = ["workspace", "anyone"] as const;
export type ShareScopeKind = (typeof SHARE_SCOPES)[number];

/** When the request names no expiry (capped by the workspace maximum). */
export const DEFAULT_EXPIRY_DAYS = 14;

export const createShareLinkInput = z.strictObject({
  resource: z.enum(SHARE_RESOURCES, { error: 'one of "version", "run" or "comparison"' }),
  /** a version id, a run id, or for a comparison the compare URL's `variants` value ("baseline,other") */
  id: z.string({ error: "which version, run or comparison to share" }).trim().min(1, "which version, run or comparison to share").max(1300),
  scope: z.enum(SHARE_SCOPES, { error: '"workspace" (members sign in) or "anyone" (anyone with the link)' }),
  expiresInDays: z
    .int({ error: "a whole number of days" })
    .min(1, "at least 1 day")
    .optional(),
});
export type CreateShareLinkInput = z.input<typeof createShareLinkInput>;
