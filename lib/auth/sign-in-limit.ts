import { z } from "zod";
import { db } from "../db.ts";
import { AppError, errorBody } from "../errors.ts";
import { DIRECT_CLIENT } from "./client-address.ts";

// Sign-in limit: at most 5 failed sign-ins per account and 20 per client address (known only behind a trusted
// proxy) in any 15 minutes. Attempts are
// rows in PostgreSQL (SignInAttempt), so every web process and a restart see the same counts. An attempt reserves
// its rows before the password is checked, under a per-key advisory lock, so parallel guesses cannot all slip under
// the limit; a failure keeps them, a success deletes them and clears the account's failures.

export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

export interface SignInKeys {
  account: string;
  /** null when the client's address is unknown (no trusted proxy): there is then no per-address limit */
  address: string | null;
}

export function signInKeys(email: string, clientAddress: string): SignInKeys {
  // An unknown email is limited like a real one: the limit must not tell which accounts exist. Without a trusted
  // proxy every client looks the same ("direct"); one shared address bucket would let 20 wrong passwords from anyone
  // lock everybody out, so only the per-account limit applies then.
  return {
    account: `account:${email.trim().toLowerCase().slice(0, 320)}`,
    address: clientAddress === DIRECT_CLIENT ? null : `address:${clientAddress}`,
  };
}

export interface Reservation {
  keys: SignInKeys;
  ids: string[];
}

export type ReserveOutcome = { reservation: Reservation; retryAfterSeconds: null } | { reservation: null; retryAfterSeconds: number };

/** The 429 a refused sign-in gets, in the API's error shape, with the wait in Retry-After and in the message. */
export function tooManyAttempts(retryAfterSeconds: number): Response {
  const error = new AppError("rate_limit", "sign-in", `Too many sign-in attempts; try again in ${retryAfterSeconds} s.`);
  return Response.json(errorBody(error), {
    status: 429,
    headers: { "retry-after": String(retryAfterSeconds), "cache-control": "no-store" },
  });
}

/** Seconds from the refused attempt's view until the key drops below its limit again; 0 when it is below now. */
async function secondsUntilFree(tx: Pick<typeof db, "signInAttempt">, key: string, max: number, now: Date): Promise<number> {
  const since = new Date(now.getTime() - SIGN_IN_WINDOW_MS);
  const recent = await tx.signInAttempt.findMany({
    where: { key, createdAt: { gt: since } },
    orderBy: { createdAt: "desc" },
    take: max,
    select: { createdAt: true },
  });
  if (recent.length < max) return 0;
  // the oldest of the last `max` attempts leaves the window first
  const oldest = recent[recent.length - 1]!.createdAt.getTime();
  return Math.max(1, Math.ceil((oldest + SIGN_IN_WINDOW_MS - now.getTime()) / 1000));
}

/**
 * Reserves one attempt against the account and the address, or says how long to wait. Refused attempts are not
 * recorded: the wait is over when the message says.
 */
export async function reserveSignIn(keys: SignInKeys, now = new Date()): Promise<ReserveOutcome> {
  return db.$transaction(async (tx) => {
    // one lock per key, always taken in the same order so two attempts never wait on each other crosswise
    const keyList = keys.address === null ? [keys.account] : [keys.account, keys.address];
    for (const key of [...keyList].sort()) {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 9))`;
    }
    await tx.signInAttempt.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - SIGN_IN_WINDOW_MS) } } });
    const wait = Math.max(
      await secondsUntilFree(tx, keys.account, MAX_FAILURES_PER_ACCOUNT, now),
      keys.address === null ? 0 : await secondsUntilFree(tx, keys.address, MAX_FAILURES_PER_ADDRESS, now),
    );
    if (wait > 0) return { reservation: null, retryAfterSeconds: wait };
    const account = await tx.signInAttempt.create({ data: { key: keys.account, createdAt: now }, select: { id: true } });
    const ids = [account.id];
    if (keys.address !== null) ids.push((await tx.signInAttempt.create({ data: { key: keys.address, createdAt: now }, select: { id: true } })).id);
    return { reservation: { keys, ids }, retryAfterSeconds: null };
  });
}

/** Signed in: this attempt was no failure, and the account starts afresh. */
export async function recordSuccess(reservation: Reservation): Promise<void> {
  await db.signInAttempt.deleteMany({
    where: { OR: [{ id: { in: reservation.ids } }, { key: reservation.keys.account }] },
  });
}

/** Neither a success nor a wrong password (bad input, server error): the attempt does not count. */
export async function releaseReservation(reservation: Reservation): Promise<void> {
  await db.signInAttempt.deleteMany({ where: { id: { in: reservation.ids } } });
}

const signInBody = z.object({ email: z.string().min(1).max(320) }).passthrough();

/** The email a sign-in request names, or null when its body is not the JSON better-auth expects. */
export async function signInEmail(request: Request): Promise<string | null> {
  let body: unknown;
  try {
    body = await request.clone().json();
  } catch {
    // not JSON: better-auth answers it with its own 400, and no password is checked
    return null;
  }
  const parsed = signInBody.safeParse(body);
  return parsed.success ? parsed.data.email : null;
}

/**
 * Runs a sign-in through the limit. `signIn` is better-auth's handler; a 401 from it is a wrong email or password.
 * The refusal is a 429 with Retry-After in the API's error shape.
 */
export async function limitedSignIn(
  request: Request,
  clientAddress: string,
  signIn: (request: Request) => Promise<Response>,
): Promise<Response> {
  const email = await signInEmail(request);
  if (email === null) return signIn(request);
  const { reservation, retryAfterSeconds } = await reserveSignIn(signInKeys(email, clientAddress));
  if (!reservation) return tooManyAttempts(retryAfterSeconds);
  let response: Response;
  try {
    response = await signIn(request);
  } catch (error) {
    await releaseReservation(reservation);
    throw error;
  }
  // a 401 is a wrong email or password: the reserved rows stay and count as failures
  if (response.ok) await recordSuccess(reservation);
  else if (response.status !== 401) await releaseReservation(reservation);
  return response;
}
