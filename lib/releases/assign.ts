import { createHash, randomInt } from "node:crypto";
import { BUCKETS, type Stage } from "./stages.ts";
import { EVERYONE, type ReleaseConfig, type ReleaseMode } from "./schema.ts";

// Sticky assignment, as documented in docs/gateway.md: bucket = the first 4 bytes of SHA-256(salt ‖ 0x00 ‖ user key)
// read as an unsigned big-endian integer, modulo 10,000. A canary at s basis points sends buckets [0, s) to the
// candidate, so raising the share keeps everyone already there, and lowering it moves only the highest buckets back.
// Ring percentages hash with their own salt ("<salt>:ring:<name>") so a 10 % beta ring is not the canary's first 10 %.
// Requests without a user key get a fresh random bucket each time and are counted apart (bucket null on the Call).

export function bucketOf(salt: string, userKey: string): number {
  const digest = createHash("sha256").update(salt).update("\0").update(userKey).digest();
  return digest.readUInt32BE(0) % BUCKETS;
}

/** What a Call stores of the user key: never the key itself. */
export function hashUserKey(workspaceId: string, userKey: string): string {
  return createHash("sha256").update(workspaceId).update("\0").update(userKey).digest("hex").slice(0, 32);
}

export interface ReleaseRouting {
  mode: ReleaseMode;
  salt: string;
  /** the release's arms in order: "stable" first */
  arms: readonly string[];
  stage: Stage;
  config: Pick<ReleaseConfig, "rings" | "split" | "sample">;
  /** running: the stage's split applies; paused: the split stays as it is (nothing advances); anything else: stable */
  state: string;
}

export interface RequestAudience {
  /** the sticky key: body `user` or header x-assay-user; null when the request has none */
  userKey: string | null;
  /** header x-assay-ring */
  ringHeader: string | null;
  /** lower-cased emails of the workspace's members (rings with members: true) */
  memberEmails: ReadonlySet<string>;
}

export interface Assignment {
  /** the arm that answers: "stable", "candidate", "candidate-2", … */
  arm: string;
  ring: string;
  /** null when the request had no user key (assigned per request) */
  bucket: number | null;
  /** shadow mode: the arm also run in the background on this request, or null */
  shadowArm: string | null;
  /** interleaved mode: the request gets stable's and the candidate's lists merged */
  interleave: boolean;
}

/** The index of the first ring the request is in, or rings.length ("everyone"). */
export function ringIndexOf(config: Pick<ReleaseConfig, "rings">, salt: string, audience: RequestAudience): number {
  const { userKey, ringHeader } = audience;
  for (const [index, ring] of config.rings.entries()) {
    if (ring.header && ringHeader !== null && ringHeader.toLowerCase() === ring.name.toLowerCase()) return index;
    if (userKey === null) continue;
    if (ring.users.includes(userKey)) return index;
    if (ring.members && audience.memberEmails.has(userKey.toLowerCase())) return index;
    if (ring.percent !== undefined && bucketOf(`${salt}:ring:${ring.name}`, userKey) < Math.round(ring.percent * 100)) return index;
  }
  return config.rings.length;
}

export function assign(routing: ReleaseRouting, audience: RequestAudience, random: () => number = () => randomInt(BUCKETS)): Assignment {
  const ringIndex = ringIndexOf(routing.config, routing.salt, audience);
  const ring = ringIndex < routing.config.rings.length ? routing.config.rings[ringIndex]!.name : EVERYONE;
  const bucket = audience.userKey === null ? null : bucketOf(routing.salt, audience.userKey);
  const draw = bucket ?? random();
  const stable: Assignment = { arm: "stable", ring, bucket, shadowArm: null, interleave: false };
  const live = routing.state === "running" || routing.state === "paused";
  if (!live || ringIndex > routing.stage.ringIndex) return stable;
  switch (routing.mode) {
    case "canary": {
      // Rings already passed stay on the candidate; the current one gets the stage's share.
      const share = ringIndex < routing.stage.ringIndex ? BUCKETS : routing.stage.shareBps;
      return draw < share ? { ...stable, arm: routing.arms[1] ?? "stable" } : stable;
    }
    case "ab": {
      let upper = 0;
      for (const [index, percent] of routing.config.split.entries()) {
        upper += Math.round(percent * 100);
        if (draw < upper) return { ...stable, arm: routing.arms[index] ?? "stable" };
      }
      return stable;
    }
    case "shadow":
      return draw < Math.round(routing.config.sample * 100) ? { ...stable, shadowArm: routing.arms[1] ?? null } : stable;
    case "interleaved":
      return { ...stable, interleave: true };
  }
}
