import { z } from "zod";
import { db } from "../db.ts";
import { env } from "../env.ts";
import { AppError } from "../errors.ts";
import { getAuth } from "../auth/auth.ts";
import { checkSetupToken, configuredExposure, discardSetupToken, setupTokenRequired, type Exposure } from "./setup-token.ts";

export const setupInput = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100),
  email: z.string().trim().toLowerCase().email("Enter a valid email address"),
  // better-auth refuses longer passwords at sign-in (maxPasswordLength 128)
  password: z.string().min(8, "Use at least 8 characters").max(128, "Use at most 128 characters"),
  workspaceName: z.string().trim().min(1, "Name the workspace").max(100),
  /** the one-time token `assay start` prints when it listens beyond loopback */
  token: z.string().trim().max(200).optional(),
});
export type SetupInput = z.infer<typeof setupInput>;

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 48) || "workspace"
  );
}

/** Where setup runs: the listen address decides whether the token is needed, ASSAY_HOME holds its hash. */
export interface SetupPlace extends Exposure {
  home: string;
}

function alreadySetUp(): AppError {
  return new AppError("conflict", "setup", "Assay is already set up; sign in instead.");
}

// One key for every setup, in a number space of its own (the sign-in limit locks hashes of its keys).
const SETUP_LOCK = 0x5e7_0b;

/**
 * First visit on a new database: the owner account, its password login and the first workspace in ONE transaction
 * under an advisory lock, so two setups at once give one owner and one 409, and a failure leaves no user behind.
 * better-auth's signUpEmail would commit the user in a transaction of its own, so the rows are written here with
 * better-auth's own password hash and ids (the "credential" account is how better-auth stores an email login), and
 * better-auth then signs the new owner in. The demo workspace seeded on first start has no members yet; the owner
 * adopts it, so their first workspace already holds the example prompts.
 */
export async function setupOwner(input: SetupInput, place: SetupPlace = { ...configuredExposure(), home: env.ASSAY_HOME }): Promise<Response> {
  // Answered first, before the token: once an owner exists, setup is closed whatever the request holds. The same
  // count is repeated under the lock below, where it decides.
  if ((await db.user.count()) > 0) throw alreadySetUp();
  if (setupTokenRequired(place)) await checkSetupToken(place.home, input.token);
  const auth = await getAuth();
  const context = await auth.$context;
  // scrypt takes a while: hash before taking the lock
  const passwordHash = await context.password.hash(input.password);
  const workspace = await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SETUP_LOCK}::bigint)`;
      if ((await tx.user.count()) > 0) throw alreadySetUp();
      const user = await tx.user.create({
        data: { id: context.generateId({ model: "user" }) || crypto.randomUUID(), name: input.name, email: input.email, emailVerified: false },
      });
      await tx.account.create({
        data: {
          id: context.generateId({ model: "account" }) || crypto.randomUUID(),
          userId: user.id,
          providerId: "credential",
          accountId: user.id,
          password: passwordHash,
        },
      });
      const unowned = await tx.workspace.findFirst({ where: { memberships: { none: {} } }, orderBy: { createdAt: "asc" } });
      const workspace = unowned
        ? await tx.workspace.update({ where: { id: unowned.id }, data: { name: input.workspaceName } })
        : await tx.workspace.create({ data: { name: input.workspaceName, slug: `${slugify(input.workspaceName)}-${Date.now().toString(36)}` } });
      await tx.membership.create({ data: { workspaceId: workspace.id, userId: user.id, role: "owner" } });
      return workspace;
    },
    // the loser waits for the winner's commit before it can answer 409
    { maxWait: 10_000, timeout: 30_000 },
  );
  // used once: the owner exists, and the token opens nothing any more
  if (setupTokenRequired(place)) await discardSetupToken(place.home);
  const response = Response.json({ workspace: { id: workspace.id, name: workspace.name } }, { status: 201 });
  const signIn = await auth.api.signInEmail({ body: { email: input.email, password: input.password }, asResponse: true });
  if (signIn.ok) {
    for (const cookie of signIn.headers.getSetCookie()) response.headers.append("set-cookie", cookie);
  } else {
    // The owner exists either way; without the cookie the next page sends them to the login form.
    console.error(`[setup] the owner was created, but signing in failed (${signIn.status}): ${await signIn.text()}`);
  }
  return response;
}
