import { db } from "../db.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import { getAuth } from "../auth/auth.ts";
import type { InvitationSignUpInput } from "./schema.ts";
import { addInvitedMember, claimInvitation, type Joined } from "./service.ts";
import { hashInvitationToken } from "./token.ts";

// A new person opens an invitation link: their account (with the invited email), its password login and their
// membership are written in ONE transaction, so a refused link (used, revoked, expired, or used by a second tab at
// the same moment) leaves no account behind. Public sign-up stays closed (lib/auth/auth-route.ts): this is the only
// other way an account comes to exist, and it needs a valid invitation.

export async function signUpWithInvitation(input: InvitationSignUpInput, now = new Date()): Promise<{ joined: Joined; cookies: string[] }> {
  const tokenHash = hashInvitationToken(input.token);
  const invitation = await db.invitation.findUnique({ where: { tokenHash }, select: { email: true } });
  if (!invitation) throw new AppError("not_found", "invitation", "This invitation link is not valid. Check that it was copied whole, or ask for a new one.");
  if (await db.user.findUnique({ where: { email: invitation.email }, select: { id: true } })) {
    throw new AppError("conflict", "email", `An account for ${invitation.email} exists already; sign in to accept the invitation.`);
  }
  const auth = await getAuth();
  const context = await auth.$context;
  // scrypt takes a while: hash before the transaction holds the invitation's row
  const passwordHash = await context.password.hash(input.password);
  const joined = await db
    .$transaction(async (tx) => {
    const userId = context.generateId({ model: "user" }) || crypto.randomUUID();
    const row = await claimInvitation(tx, tokenHash, userId, now);
    // the invited email, verified in the sense that whoever holds the link received it there (or from the admin)
    await tx.user.create({ data: { id: userId, name: input.name, email: row.email, emailVerified: false } });
    await tx.account.create({
      data: { id: context.generateId({ model: "account" }) || crypto.randomUUID(), userId, providerId: "credential", accountId: userId, password: passwordHash },
    });
    await addInvitedMember(tx, row, userId, row.email);
    return { workspace: row.workspace, role: row.role, alreadyMember: false };
  })
    .catch((error: unknown) => {
      // another sign-up with this email committed between the check above and this transaction
      if (isUniqueViolation(error)) throw new AppError("conflict", "email", `An account for ${invitation.email} exists already; sign in to accept the invitation.`);
      throw error;
    });
  const signIn = await auth.api.signInEmail({ body: { email: invitation.email, password: input.password }, asResponse: true });
  if (!signIn.ok) {
    // The account and membership exist either way; without the cookie the next page sends them to the login form.
    console.error(`[invitations] the account was created, but signing in failed (${signIn.status}): ${await signIn.text()}`);
    return { joined, cookies: [] };
  }
  return { joined, cookies: signIn.headers.getSetCookie() };
}
