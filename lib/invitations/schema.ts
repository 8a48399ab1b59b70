import { z } from "zod";
import { ROLES } from "../auth/permissions.ts";

// Inputs of the invitation API and the invitation page, shared by routes and forms. Messages name no field: the
// error mapper puts the field's path before them ("email: Enter a valid email address").

export const INVITATION_DAYS = 7;

export const roleInput = z.enum(ROLES, { message: `Choose one of ${ROLES.join(", ")}` });

export const createInvitationInput = z.object({
  email: z.string({ message: "Enter an email address" }).trim().toLowerCase().max(254, "At most 254 characters").email("Enter a valid email address"),
  role: roleInput,
});
export type CreateInvitationInput = z.infer<typeof createInvitationInput>;

export const invitationTokenInput = z.object({
  token: z.string({ message: "The invitation token is missing" }).trim().min(20, "This is not an invitation token").max(200, "This is not an invitation token"),
});

export const invitationSignUpInput = invitationTokenInput.extend({
  name: z.string({ message: "Enter your name" }).trim().min(1, "Enter your name").max(100, "At most 100 characters"),
  // better-auth refuses longer passwords at sign-in (maxPasswordLength 128)
  password: z.string({ message: "Choose a password" }).min(8, "Use at least 8 characters").max(128, "Use at most 128 characters"),
});
export type InvitationSignUpInput = z.infer<typeof invitationSignUpInput>;
