import { z } from "zod";
import { labelName } from "../prompts/schema.ts";

// Inputs of the workspace API and the settings forms. Messages name no field: the error mapper prefixes the path.

export const workspaceName = z.string({ message: "Name the workspace" }).trim().min(1, "Name the workspace").max(100, "At most 100 characters");

export const createWorkspaceInput = z.object({ name: workspaceName });

export const updateWorkspaceInput = z.object({ name: workspaceName });

export const MAX_APPROVALS = 10;
export const MAX_PROTECTED_LABELS = 20;

export const protectedLabel = z.object({
  name: labelName,
  approvals: z
    .number({ message: `A whole number from 1 to ${MAX_APPROVALS}` })
    .int(`A whole number from 1 to ${MAX_APPROVALS}`)
    .min(1, "At least 1 approval (the author's own never counts)")
    .max(MAX_APPROVALS, `At most ${MAX_APPROVALS} approvals`),
});
export type ProtectedLabel = z.infer<typeof protectedLabel>;

export const protectedLabelsInput = z.object({
  labels: z
    .array(protectedLabel, { message: "A list of { name, approvals }" })
    .max(MAX_PROTECTED_LABELS, `At most ${MAX_PROTECTED_LABELS} protected labels`)
    .superRefine((labels, context) => {
      const seen = new Set<string>();
      labels.forEach((label, index) => {
        if (seen.has(label.name)) context.addIssue({ code: "custom", path: [index, "name"], message: `"${label.name}" is listed twice` });
        seen.add(label.name);
      });
    }),
});

export const MAX_SHARE_LINK_DAYS = 365;

export const sharePolicyInput = z
  .object({
    shareLinkMaxDays: z
      .number({ message: `A whole number of days from 1 to ${MAX_SHARE_LINK_DAYS}` })
      .int(`A whole number of days from 1 to ${MAX_SHARE_LINK_DAYS}`)
      .min(1, "At least 1 day")
      .max(MAX_SHARE_LINK_DAYS, `At most ${MAX_SHARE_LINK_DAYS} days`)
      .optional(),
    allowPublicLinks: z.boolean({ message: "true or false" }).optional(),
  })
  .refine((policy) => policy.shareLinkMaxDays !== undefined || policy.allowPublicLinks !== undefined, "Send shareLinkMaxDays, allowPublicLinks or both");
